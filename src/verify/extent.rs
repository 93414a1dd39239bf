//! The byte extent of a strided array: the lowest and one-past-the-highest byte any element
//! touches. Pure arithmetic, never a dereference; every step is checked for overflow because
//! the inputs come from untrusted descriptors.

/// A half-open byte range `[start, end)`. Empty when the array has no elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub start: u64,
    pub end: u64,
}

impl Extent {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// Whether `addr` lies inside the range.
    pub fn contains_addr(&self, addr: u64) -> bool {
        self.start <= addr && addr < self.end
    }
    /// Whether `other` lies wholly inside this range.
    pub fn covers(&self, other: &Extent) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    /// Whether the two ranges share at least one byte.
    pub fn overlaps(&self, other: &Extent) -> bool {
        !self.is_empty() && !other.is_empty() && self.start < other.end && other.start < self.end
    }
}

impl std::fmt::Display for Extent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}..{:#x}", self.start, self.end)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtentError {
    /// A dimension is negative.
    NegativeDimension(usize),
    /// `strides` has a different length from `shape`.
    StridesLength { shape: usize, strides: usize },
    /// The item size is zero or negative.
    BadItemSize,
    /// The extent does not fit in the 64-bit address space.
    Overflow,
}

impl std::fmt::Display for ExtentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExtentError::NegativeDimension(axis) => write!(f, "dimension {axis} is negative"),
            ExtentError::StridesLength { shape, strides } => {
                write!(f, "{strides} strides for {shape} dimensions")
            }
            ExtentError::BadItemSize => write!(f, "the item size is not positive"),
            ExtentError::Overflow => write!(f, "the byte extent overflows the address space"),
        }
    }
}

/// C-contiguous strides in bytes for `shape` (what `strides: None` means).
pub fn contiguous_strides(shape: &[i64], itemsize: i64) -> Option<Vec<i64>> {
    let mut strides = vec![0i64; shape.len()];
    let mut step = itemsize;
    for (axis, &dim) in shape.iter().enumerate().rev() {
        strides[axis] = step;
        step = step.checked_mul(dim.max(1))?;
    }
    Some(strides)
}

/// The bytes touched by an array whose first element is at `pointer` (the element at
/// index 0 in every dimension, which is not the lowest address when a stride is negative).
/// `strides: None` means C-contiguous. A zero-size array has an empty extent at `pointer`.
pub fn byte_extent(
    pointer: u64,
    shape: &[i64],
    strides: Option<&[i64]>,
    itemsize: i64,
) -> Result<Extent, ExtentError> {
    if itemsize <= 0 {
        return Err(ExtentError::BadItemSize);
    }
    if let Some(axis) = shape.iter().position(|&dim| dim < 0) {
        return Err(ExtentError::NegativeDimension(axis));
    }
    if shape.contains(&0) {
        return Ok(Extent {
            start: pointer,
            end: pointer,
        });
    }
    let owned;
    let strides = match strides {
        Some(strides) if strides.len() != shape.len() => {
            return Err(ExtentError::StridesLength {
                shape: shape.len(),
                strides: strides.len(),
            })
        }
        Some(strides) => strides,
        None => {
            owned = contiguous_strides(shape, itemsize).ok_or(ExtentError::Overflow)?;
            &owned
        }
    };
    // i128 holds any product of two i64s, and sums of up to 64 of them stay far inside it.
    let mut low: i128 = 0;
    let mut high: i128 = 0;
    for (&dim, &stride) in shape.iter().zip(strides) {
        let span = i128::from(stride) * i128::from(dim - 1);
        if span < 0 {
            low += span;
        } else {
            high += span;
        }
    }
    let base = i128::from(pointer);
    let start = base + low;
    let end = base + high + i128::from(itemsize);
    let start = u64::try_from(start).map_err(|_| ExtentError::Overflow)?;
    let end = u64::try_from(end).map_err(|_| ExtentError::Overflow)?;
    Ok(Extent { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_one_dimension() {
        let extent = byte_extent(1000, &[5], None, 8).unwrap();
        assert_eq!(
            extent,
            Extent {
                start: 1000,
                end: 1040
            }
        );
    }

    #[test]
    fn contiguous_two_dimensions_matches_explicit_strides() {
        let implicit = byte_extent(0x1000, &[3, 4], None, 2).unwrap();
        let explicit = byte_extent(0x1000, &[3, 4], Some(&[8, 2]), 2).unwrap();
        assert_eq!(implicit, explicit);
        assert_eq!(implicit.len(), 24);
    }

    #[test]
    fn negative_stride_reaches_below_the_pointer() {
        // a[::-1] of 4 float64: the pointer is the last element of the buffer.
        let extent = byte_extent(1024, &[4], Some(&[-8]), 8).unwrap();
        assert_eq!(
            extent,
            Extent {
                start: 1000,
                end: 1032
            }
        );
    }

    #[test]
    fn mixed_strides() {
        // shape (2, 3), strides (-24, 8): rows reversed.
        let extent = byte_extent(1024, &[2, 3], Some(&[-24, 8]), 8).unwrap();
        assert_eq!(
            extent,
            Extent {
                start: 1000,
                end: 1048
            }
        );
    }

    #[test]
    fn zero_size_is_empty_even_with_huge_other_dimensions() {
        let extent = byte_extent(77, &[0, i64::MAX], None, 8).unwrap();
        assert!(extent.is_empty());
        assert_eq!(extent.start, 77);
    }

    #[test]
    fn scalar_is_one_item() {
        assert_eq!(byte_extent(8, &[], None, 4).unwrap().len(), 4);
    }

    #[test]
    fn broadcast_zero_stride() {
        assert_eq!(byte_extent(0, &[1000], Some(&[0]), 8).unwrap().len(), 8);
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(
            byte_extent(u64::MAX - 4, &[2], None, 8),
            Err(ExtentError::Overflow)
        );
        assert_eq!(
            byte_extent(0, &[i64::MAX, i64::MAX], None, 8),
            Err(ExtentError::Overflow)
        );
        assert_eq!(
            byte_extent(8, &[3], Some(&[-8]), 8),
            Err(ExtentError::Overflow)
        );
    }

    #[test]
    fn bad_inputs() {
        assert_eq!(
            byte_extent(0, &[-1], None, 8),
            Err(ExtentError::NegativeDimension(0))
        );
        assert_eq!(byte_extent(0, &[1], None, 0), Err(ExtentError::BadItemSize));
        assert_eq!(
            byte_extent(0, &[1, 2], Some(&[8]), 8),
            Err(ExtentError::StridesLength {
                shape: 2,
                strides: 1
            })
        );
    }

    #[test]
    fn overlap_and_cover() {
        let a = Extent { start: 0, end: 10 };
        let b = Extent { start: 9, end: 12 };
        let empty = Extent { start: 5, end: 5 };
        assert!(a.overlaps(&b));
        assert!(!a.overlaps(&empty));
        assert!(!a.covers(&b));
        assert!(a.covers(&Extent { start: 2, end: 10 }));
    }
}
