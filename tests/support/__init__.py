"""Helpers shared by the tests: servers started by fixtures, builders."""
