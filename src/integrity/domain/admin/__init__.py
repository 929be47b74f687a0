"""Administration pages: accounts, their roles and the units they sit in, as administrators manage them."""
