"""Contract tests: the official `pasqal-cloud` SDK against a live server (mockjobs or the real API)."""
