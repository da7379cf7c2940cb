//! The wall clock, in one place: every check takes its time as an argument (`verify_at`,
//! `issue_at`), and these wrappers pass the system clock.

/// Seconds since the Unix epoch by the system clock (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
