-- Base schema: accounts, organizations, membership, API tokens, the activity log and platform settings.
-- Applied by Flyway in one transaction; gen_random_uuid() is built into PostgreSQL 13+.

CREATE FUNCTION skypanel_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- Append-only tables refuse edits: an audit trail that can be rewritten proves nothing.
CREATE FUNCTION skypanel_forbid_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TABLE users (
  id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email                    varchar(254) NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
  name                     varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  password_hash            text NOT NULL,
  platform_role            varchar(16) NOT NULL DEFAULT 'user' CHECK (platform_role IN ('user', 'admin')),
  disabled                 boolean NOT NULL DEFAULT false,
  personal_organization_id uuid,
  last_login_at            timestamptz,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_created_idx ON users (created_at, id);
CREATE INDEX users_platform_role_idx ON users (platform_role) WHERE platform_role = 'admin';
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

CREATE TABLE organizations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name           varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  slug           varchar(63) NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  personal       boolean NOT NULL DEFAULT false,
  wallet_balance numeric(14, 4) NOT NULL DEFAULT 0,
  currency       char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);
CREATE INDEX organizations_created_idx ON organizations (created_at, id);
CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON organizations FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

ALTER TABLE users ADD CONSTRAINT users_personal_organization_fk
  FOREIGN KEY (personal_organization_id) REFERENCES organizations (id) ON DELETE SET NULL;

CREATE TABLE organization_members (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            varchar(16) NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'viewer')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user_idx ON organization_members (user_id, organization_id);
CREATE TRIGGER organization_members_updated_at BEFORE UPDATE ON organization_members FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         varchar(100) NOT NULL CHECK (length(btrim(name)) > 0),
  token_hash   char(64) NOT NULL,
  prefix       varchar(16) NOT NULL,
  scopes       text[] NOT NULL DEFAULT ARRAY['read', 'write'],
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_tokens_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin']::text[])
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at DESC, id DESC);
CREATE TRIGGER api_tokens_updated_at BEFORE UPDATE ON api_tokens FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();

-- organization_id and user_id deliberately carry no foreign key: the audit trail outlives what it names
-- (a deleted organization's history stays readable to platform administrators), and rows are never updated.
CREATE TABLE activity_logs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid,
  user_id         uuid,
  action          varchar(100) NOT NULL CHECK (action ~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$'),
  target_type     varchar(50),
  target_id       varchar(100),
  metadata        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
  ip              inet,
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- keyset pagination newest first, optionally narrowed by an action prefix
CREATE INDEX activity_logs_org_created_idx ON activity_logs (organization_id, created_at DESC, id DESC);
CREATE INDEX activity_logs_org_action_idx ON activity_logs (organization_id, action varchar_pattern_ops, created_at DESC);
CREATE INDEX activity_logs_user_idx ON activity_logs (user_id, created_at DESC);
CREATE TRIGGER activity_logs_append_only BEFORE UPDATE ON activity_logs FOR EACH ROW EXECUTE FUNCTION skypanel_forbid_update();

CREATE TABLE platform_settings (
  key        varchar(100) PRIMARY KEY CHECK (key ~ '^[a-z0-9_.]+$'),
  value      jsonb NOT NULL,
  secret     boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER platform_settings_updated_at BEFORE UPDATE ON platform_settings FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();
