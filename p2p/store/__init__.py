"""Everything that touches git or the store's files lives in this package."""
