"""Yearly quotas per zone (年度目标) and their attainment by investment tier."""
