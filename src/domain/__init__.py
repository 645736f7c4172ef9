"""Pure reservation rules. Imports nothing outside the standard library."""
