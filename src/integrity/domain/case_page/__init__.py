"""One case as its page shows it: the case file, its follow-up and every change made from the page."""
