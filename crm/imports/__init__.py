"""Spreadsheet imports: upload → preview → validation report → commit, all or nothing; revert."""
