"""报送 and review of the zones' monthly reports, and the reports as Word documents."""
