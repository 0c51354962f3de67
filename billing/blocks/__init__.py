"""Blocks on numbers: by the called party, the facility or the provider; lifting one is recorded too."""
