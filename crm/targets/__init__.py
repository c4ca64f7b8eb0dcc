"""The shared target-enterprise list (招商目标企业清单), activities and cross-zone conflicts."""
