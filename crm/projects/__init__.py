"""Projects (项目库) and their pipeline: stages with evidence and history."""
