"""Marketing writes, one module per part (segments, campaigns, email, loyalty, capture)."""
