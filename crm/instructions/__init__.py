"""批示 and 督办: leaders' and coordinators' instructions on a project, a target or a zone,
followed up by the zone until the issuer closes them."""
