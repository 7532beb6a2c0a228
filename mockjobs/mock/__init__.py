"""The state behind one app: data set, clock, faults, journal, lifecycle; shared through the store."""
