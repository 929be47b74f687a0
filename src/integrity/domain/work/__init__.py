"""My work (我的待办 / 已办): everything that waits on the signed-in user, and what they did."""
