"""Companies and their licences: the live registers copied into each filing version."""
