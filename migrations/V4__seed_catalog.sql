-- Catalog seed: plans, the default build stack and its buildpacks. The isolation tiers (standard, enhanced,
-- dedicated) are inserted by V3, because organizations.isolation_tier needs them when the column is added.
-- Rows are found again by their fixed slugs; ids are generated.

INSERT INTO paas_plans
  (slug, name, description, price_hourly, price_monthly, cpu, memory_mb, disk_gb, max_replicas, max_apps,
   max_containers, max_volumes, max_volume_gb, max_domains, egress_gb_included, isolation_tier, active, sort_order)
VALUES
  ('hobby', 'Hobby', 'Personal projects and experiments.',
   0.007000, 5.00, 0.25, 512, 5, 1, 2, 3, 1, 5, 2, 100, 'standard', true, 10),
  ('basic', 'Basic', 'Small production services.',
   0.014000, 10.00, 0.50, 1024, 10, 2, 5, 10, 3, 25, 5, 250, 'standard', true, 20),
  ('standard', 'Standard', 'Production apps with room to scale out.',
   0.035000, 25.00, 1.00, 2048, 25, 5, 20, 25, 10, 100, 20, 500, 'standard', true, 30),
  ('performance', 'Performance', 'Busy services: more CPU and memory per replica, hardened isolation.',
   0.110000, 80.00, 4.00, 8192, 100, 10, 50, 100, 25, 500, 50, 2000, 'enhanced', true, 40);

INSERT INTO paas_stacks (slug, name, description, build_image, run_image, status, is_default)
VALUES
  ('skypanel-22', 'SkyPanel 22', 'Ubuntu 22.04 LTS based build and run images.',
   'docker.io/heroku/heroku:22-build', 'docker.io/heroku/heroku:22', 'active', true);

INSERT INTO paas_buildpacks (slug, name, description, language, source_type, source_url, version, active)
VALUES
  ('nodejs', 'Node.js', 'Node.js apps with npm, Yarn or pnpm (package.json).', 'nodejs', 'git',
   'https://github.com/heroku/heroku-buildpack-nodejs', NULL, true),
  ('python', 'Python', 'Python apps with pip, Pipenv or Poetry (requirements.txt, Pipfile, pyproject.toml).', 'python', 'git',
   'https://github.com/heroku/heroku-buildpack-python', NULL, true),
  ('go', 'Go', 'Go modules (go.mod).', 'go', 'git',
   'https://github.com/heroku/heroku-buildpack-go', NULL, true),
  ('java', 'Java', 'Maven builds (pom.xml).', 'java', 'git',
   'https://github.com/heroku/heroku-buildpack-java', NULL, true);

-- detection order: the first buildpack whose detect step matches builds the app
INSERT INTO paas_stack_buildpacks (stack_id, buildpack_id, position)
SELECT s.id, b.id, o.position
FROM (VALUES ('nodejs', 0), ('python', 1), ('go', 2), ('java', 3)) AS o (slug, position)
JOIN paas_buildpacks b ON b.slug = o.slug
JOIN paas_stacks s ON s.slug = 'skypanel-22'
ORDER BY o.position;
