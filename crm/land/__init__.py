"""Land parcels (地块) and carriers (载体): ledger, project matching, land goals, map."""
