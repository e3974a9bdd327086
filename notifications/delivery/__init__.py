"""How each channel sends one delivery row: in_app (channel layer), email, webhook."""
