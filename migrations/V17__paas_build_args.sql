-- Build args and target stage of a Dockerfile build (issue 11): recorded on the build as asked, so a build's history
-- says how its image was made. Build args are not secret (they end up in the image's history); config vars are.

ALTER TABLE paas_builds
  ADD COLUMN build_args jsonb CHECK (build_args IS NULL OR jsonb_typeof(build_args) = 'object'),
  ADD COLUMN target     varchar(128);
