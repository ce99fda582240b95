"""ogust — back office for French services à la personne companies and their online shop."""
