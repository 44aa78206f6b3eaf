-- Buildpacks become real (issue 11, part B): the stack whose images scripts/build-images.sh makes from Debian
-- packages, the buildpacks shipped in the repository (buildpacks/<slug>, source_type 'builtin'), and the
-- buildpacks an app pins (Heroku's buildpack installations).

-- The stack with local images is the default. skypanel-22 named images of a public registry that is not
-- reachable here, so nothing was ever built on it: it is retired and its apps move to the new stack.
UPDATE paas_stacks SET is_default = false WHERE slug = 'skypanel-22';
INSERT INTO paas_stacks (slug, name, description, build_image, run_image, status, is_default)
VALUES
  ('skypanel-bookworm', 'SkyPanel Bookworm', 'Debian 12 (bookworm) build and run images built from Debian packages (scripts/build-images.sh).',
   'skypanel/stack-build:bookworm', 'skypanel/stack-run:bookworm', 'active', true)
ON CONFLICT (slug) DO NOTHING;
UPDATE paas_apps SET stack_id = (SELECT id FROM paas_stacks WHERE slug = 'skypanel-bookworm')
WHERE stack_id = (SELECT id FROM paas_stacks WHERE slug = 'skypanel-22');
UPDATE paas_stacks SET status = 'retired' WHERE slug = 'skypanel-22';

-- The Heroku rows pointed at git repositories the platform never fetched: kept for history, inactive, and the
-- nodejs/python slugs handed to the shipped buildpacks.
UPDATE paas_buildpacks SET slug = 'heroku-' || slug, active = false
WHERE source_type = 'git' AND source_url LIKE 'https://github.com/heroku/%';

INSERT INTO paas_buildpacks (slug, name, description, language, source_type, source_url, version, active)
VALUES
  ('nodejs', 'Node.js', 'Node.js apps (package.json): npm ci/npm install when there are dependencies; web: npm start or node <main>.',
   'nodejs', 'builtin', 'builtin:nodejs', NULL, true),
  ('python', 'Python', 'Python apps (requirements.txt, pyproject.toml): a virtualenv in the app; web: python app.py.',
   'python', 'builtin', 'builtin:python', NULL, true),
  ('static', 'Static site', 'Static sites (index.html or public/index.html) served by a small HTTP server on $PORT.',
   'html', 'builtin', 'builtin:static', NULL, true),
  ('procfile', 'Procfile', 'Any source with a Procfile and no build step (shell apps).',
   NULL, 'builtin', 'builtin:procfile', NULL, true);

-- Detection order: language buildpacks first (a Node.js app with public/index.html is a Node.js app), then
-- static, then procfile, which takes any source with a Procfile.
INSERT INTO paas_stack_buildpacks (stack_id, buildpack_id, position)
SELECT s.id, b.id, o.position
FROM (VALUES ('nodejs', 0), ('python', 1), ('static', 2), ('procfile', 3)) AS o (slug, position)
JOIN paas_buildpacks b ON b.slug = o.slug
JOIN paas_stacks s ON s.slug = 'skypanel-bookworm'
ORDER BY o.position;

-- The buildpacks an app pins, in order (all of them run, the last one's release gives the default process
-- types); none: the stack's detection order.
CREATE TABLE paas_app_buildpacks (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  app_id          uuid NOT NULL,
  position        integer NOT NULL CHECK (position >= 0),
  -- a pinned buildpack cannot be deleted from the catalog; it can be deactivated (builds then fail with the reason)
  buildpack_id    uuid NOT NULL REFERENCES paas_buildpacks (id) ON DELETE RESTRICT,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, position),
  CONSTRAINT paas_app_buildpacks_app_fk FOREIGN KEY (app_id, organization_id)
    REFERENCES paas_apps (id, organization_id) ON DELETE CASCADE,
  CONSTRAINT paas_app_buildpacks_once_key UNIQUE (app_id, buildpack_id)
);
CREATE INDEX paas_app_buildpacks_org_app_idx ON paas_app_buildpacks (organization_id, app_id);
CREATE INDEX paas_app_buildpacks_buildpack_idx ON paas_app_buildpacks (buildpack_id);
CREATE TRIGGER paas_app_buildpacks_updated_at BEFORE UPDATE ON paas_app_buildpacks FOR EACH ROW EXECUTE FUNCTION skypanel_set_updated_at();
