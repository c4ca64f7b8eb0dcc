"""Industry-chain maps (产业链图谱) with coverage and gaps, and investment roadmaps."""
