"""iCalendar feeds: reading other channels' exports and writing our own."""
