"""Live team and project chat (issue 14): rooms, topics, messages with per-room increasing
ids, mentions that reach whoever is on call, read pointers."""
