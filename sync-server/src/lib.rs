//! Cartable sync server (being written).
