-- Auto-deploy per environment: a successful build of the environment makes a release and deploys it unless the
-- environment opts out (then the build only records its image, which a promotion or a deploy can use later).
-- paas_environments.auto_deploy (V3) was never read and defaulted to false; it becomes that setting, on by default,
-- and every existing environment keeps what it did so far (builds deployed).
ALTER TABLE paas_environments ALTER COLUMN auto_deploy SET DEFAULT true;
UPDATE paas_environments SET auto_deploy = true WHERE auto_deploy IS DISTINCT FROM true;
COMMENT ON COLUMN paas_environments.auto_deploy IS 'a successful build of this environment is released and deployed; false: only its image is recorded';
