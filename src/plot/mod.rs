//! Figures that display themselves inline in evcxr and save as PNG or SVG.
