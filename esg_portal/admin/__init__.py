"""Administration pages: users, companies and agencies."""
