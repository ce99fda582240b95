"""Pure domain model: aggregates, value objects, events and errors. Standard library only."""
