"""Monthly progress (月度进展) of signed projects: investment completed, funds in place."""
