! Fortran kernels with C names, called from _native.c through ISO_C_BINDING.
module kernels
  use iso_c_binding, only: c_int, c_double, c_char, c_intptr_t, c_null_char
  implicit none
contains

  ! y := a*x + y, as BLAS's daxpy.
  subroutine fk_daxpy(n, a, x, y) bind(c, name="fk_daxpy")
    integer(c_int), value, intent(in) :: n
    real(c_double), value, intent(in) :: a
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(inout) :: y(n)
    y = a * x + y
  end subroutine fk_daxpy

  function fk_dot(n, x, y) result(r) bind(c, name="fk_dot")
    integer(c_int), value, intent(in) :: n
    real(c_double), intent(in) :: x(n), y(n)
    real(c_double) :: r
    r = dot_product(x, y)
  end function fk_dot

  ! What the Fortran side was compiled for, formatted by libgfortran's internal
  ! I/O at run time (so the target's libgfortran must load): pointer bits.
  subroutine fk_describe(buf, size) bind(c, name="fk_describe")
    integer(c_int), value, intent(in) :: size
    character(kind=c_char), intent(out) :: buf(size)
    character(len=64) :: text
    integer :: i, n
    write (text, '(a,i0)') 'pointer_bits=', storage_size(0_c_intptr_t)
    n = min(len_trim(text), size - 1)
    do i = 1, n
      buf(i) = text(i:i)
    end do
    buf(n + 1) = c_null_char
  end subroutine fk_describe

end module kernels
