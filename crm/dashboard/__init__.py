"""Dashboards for zones and the city, the plan's goal list, weekly and monthly reports."""
