"""Import every area's services so their access scopes, settings and hooks are registered."""

import crm.auth.services
import crm.chains.milestones
import crm.chains.services
import crm.enterprises.services
import crm.projects.services
import crm.projects.transitions
import crm.quotas.services
import crm.targets.bulk
import crm.targets.services
import crm.zones.services  # noqa: F401
