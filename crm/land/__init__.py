"""Land parcels (地块) and carriers (载体): ledger, matching to projects, the plan's land goals, map."""
