-- Tasks publish no host port any more: the edge reaches them on their organization's internal overlay network
-- (org-<id>) through its gateway. Every existing container is re-applied once by the reconciler, which moves its
-- service onto the new networks (a rolling update) and records overlay endpoints instead of host ports.
UPDATE paas_containers SET applied_generation = NULL, endpoints = '[]'::jsonb WHERE status <> 'deleting';
