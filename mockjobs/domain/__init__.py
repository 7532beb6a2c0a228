"""The rules of a job's life: statuses, transitions, timing, consistency. No I/O."""
