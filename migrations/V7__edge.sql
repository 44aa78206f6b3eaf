-- Edge router state: certificate lifecycle bookkeeping on custom domains, per-container edge settings
-- (maintenance mode, limits) and the per-organization edge limits a plan grants.

-- ACME: when the certificate in cert_chain_pem became valid (renewal starts when a third of its lifetime is
-- left), how many orders failed in a row and when the next may be tried (exponential backoff; NULL = due now)
ALTER TABLE paas_domains
  ADD COLUMN cert_not_before      timestamptz,
  ADD COLUMN cert_attempts        integer NOT NULL DEFAULT 0 CHECK (cert_attempts >= 0),
  ADD COLUMN cert_next_attempt_at timestamptz;
-- the certificate manager's work list: verified names without a current certificate
CREATE INDEX paas_domains_cert_due_idx ON paas_domains (cert_next_attempt_at NULLS FIRST) WHERE verified_at IS NOT NULL;

-- maintenance: the edge answers 503 with the maintenance page instead of proxying;
-- edge_settings: {"rate_limit_rps", "rate_limit_burst", "max_body_bytes", "timeout_ms", "health_check_path", "force_https"}
ALTER TABLE paas_containers
  ADD COLUMN maintenance   boolean NOT NULL DEFAULT false,
  ADD COLUMN edge_settings jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(edge_settings) = 'object');

-- what an organization on this plan may push through the edge, across all its hostnames and edge replicas
ALTER TABLE paas_plans
  ADD COLUMN edge_requests_per_second integer NOT NULL DEFAULT 200 CHECK (edge_requests_per_second > 0),
  ADD COLUMN edge_burst               integer NOT NULL DEFAULT 400 CHECK (edge_burst > 0),
  ADD COLUMN edge_max_connections     integer NOT NULL DEFAULT 1000 CHECK (edge_max_connections > 0);

-- the seeded plans' edge limits grow with the plan
UPDATE paas_plans SET edge_requests_per_second = 50,   edge_burst = 100,  edge_max_connections = 200  WHERE slug = 'hobby';
UPDATE paas_plans SET edge_requests_per_second = 100,  edge_burst = 200,  edge_max_connections = 500  WHERE slug = 'basic';
UPDATE paas_plans SET edge_requests_per_second = 300,  edge_burst = 600,  edge_max_connections = 2000 WHERE slug = 'standard';
UPDATE paas_plans SET edge_requests_per_second = 1000, edge_burst = 2000, edge_max_connections = 5000 WHERE slug = 'performance';
