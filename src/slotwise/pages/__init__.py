"""v2 Scheduling Pages: a page is a scheduling configuration seen through the v2 wire format."""
