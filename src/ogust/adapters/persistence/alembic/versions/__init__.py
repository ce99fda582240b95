"""Migration revisions (a package so that they ship in the wheel)."""
