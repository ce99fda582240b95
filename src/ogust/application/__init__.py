"""Use cases: commands, one handler each, and the ports they need. Depends on the domain only."""
