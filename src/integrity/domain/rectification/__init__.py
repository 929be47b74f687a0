"""Rectification (整改): letters to units, follow-up items, close-out with maker-checker, re-inspection."""
