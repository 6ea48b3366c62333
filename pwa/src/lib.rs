//! Cartable app (being written).
