"""Marketing reads, one module per part (segments, campaigns, email, loyalty, capture)."""
