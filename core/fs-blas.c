/* fs-blas.c
 *
 * OpenBLAS and LAPACKE are loaded when the core first needs them, not
 * when the program starts. Debian's OpenBLAS (the pthreads build) starts
 * its threads in its library constructor, before main, and they spin on
 * the other cores for a while: `factorscope-cli info` and `convert`,
 * which do no linear algebra, paid for them (and for loading 36 MB of
 * library) on every run. So the core does not link them: it defines the
 * CBLAS and LAPACKE functions it calls, with the headers' prototypes,
 * and each resolves the library's own once, by dlopen of libopenblas.so.0
 * and liblapacke.so.3 (RTLD_LOCAL: nothing else in the process sees
 * them) at the first call from any thread. The cost after that is one
 * atomic read and an indirect call.
 *
 * openblas_set_num_threads and its kin are not defined here, only
 * reached through fs_blas_*: libopenblas calls them itself through its
 * PLT, and a definition in the executable would take those calls too
 * (its constructor would then call back into a load not finished).
 *
 * OpenBLAS otherwise starts one thread per core, which slows small
 * problems down and fights any other pool, so every entry point sets the
 * count; a count set before the library is loaded is applied when it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-blas"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <dlfcn.h>
#include <lapacke.h>
#include <stdlib.h>

#include "fs-blas.h"

#define OPENBLAS_SONAME "libopenblas.so.0"
#define LAPACKE_SONAME "liblapacke.so.3"

/* The library's functions, by the names the headers give them. */
typedef struct
{
  void   (*set_num_threads) (int);
  int    (*get_num_threads) (void);
  char  *(*get_corename)    (void);
  __typeof__ (cblas_ddot)   *ddot;
  __typeof__ (cblas_dasum)  *dasum;
  __typeof__ (cblas_dnrm2)  *dnrm2;
  __typeof__ (cblas_idamax) *idamax;
  __typeof__ (cblas_daxpy)  *daxpy;
  __typeof__ (cblas_dscal)  *dscal;
  __typeof__ (cblas_dgemv)  *dgemv;
  __typeof__ (cblas_dgemm)  *dgemm;
  __typeof__ (cblas_sgemm)  *sgemm;
  __typeof__ (cblas_dsyrk)  *dsyrk;
  __typeof__ (LAPACKE_dsyev)  *dsyev;
  __typeof__ (LAPACKE_dgesdd) *dgesdd;
  __typeof__ (LAPACKE_dgesvd) *dgesvd;
  __typeof__ (LAPACKE_dgeqrf) *dgeqrf;
  __typeof__ (LAPACKE_dorgqr) *dorgqr;
} Table;

static Table table;
static gsize table_ready;
/* The thread count asked for (0: none yet), and whether it is applied:
 * under the lock, so that a count set while another thread loads the
 * library is not lost. */
static GMutex threads_lock;
static int wanted_threads;
static gboolean loaded;

G_GNUC_NORETURN static void
cannot_load (const char *what,
             const char *why)
{
  /* Before any window or output: the program cannot do its work. */
  g_printerr (_("Factorscope cannot load %s, which it needs for linear algebra: %s\n"
                "Install OpenBLAS and LAPACKE (on Debian: apt install libopenblas0 liblapacke).\n"),
              what, why != NULL ? why : _("unknown error"));
  exit (EXIT_FAILURE);
}

static void *
open_library (const char *soname)
{
  void *handle = dlopen (soname, RTLD_NOW | RTLD_LOCAL);

  if (handle == NULL)
    cannot_load (soname, dlerror ());
  return handle;
}

static void *
resolve (void       *handle,
         const char *soname,
         const char *symbol)
{
  void *p;

  dlerror ();
  p = dlsym (handle, symbol);
  if (p == NULL)
    {
      g_autofree char *what = g_strdup_printf ("%s (%s)", symbol, soname);

      cannot_load (what, dlerror ());
    }
  return p;
}

#define RESOLVE(handle, soname, field, symbol) \
  (*(void **) &table.field = resolve (handle, soname, symbol))

static void
load (void)
{
  void *blas = open_library (OPENBLAS_SONAME);
  void *lapacke = open_library (LAPACKE_SONAME);

  RESOLVE (blas, OPENBLAS_SONAME, set_num_threads, "openblas_set_num_threads");
  RESOLVE (blas, OPENBLAS_SONAME, get_num_threads, "openblas_get_num_threads");
  RESOLVE (blas, OPENBLAS_SONAME, get_corename, "openblas_get_corename");
  RESOLVE (blas, OPENBLAS_SONAME, ddot, "cblas_ddot");
  RESOLVE (blas, OPENBLAS_SONAME, dasum, "cblas_dasum");
  RESOLVE (blas, OPENBLAS_SONAME, dnrm2, "cblas_dnrm2");
  RESOLVE (blas, OPENBLAS_SONAME, idamax, "cblas_idamax");
  RESOLVE (blas, OPENBLAS_SONAME, daxpy, "cblas_daxpy");
  RESOLVE (blas, OPENBLAS_SONAME, dscal, "cblas_dscal");
  RESOLVE (blas, OPENBLAS_SONAME, dgemv, "cblas_dgemv");
  RESOLVE (blas, OPENBLAS_SONAME, dgemm, "cblas_dgemm");
  RESOLVE (blas, OPENBLAS_SONAME, sgemm, "cblas_sgemm");
  RESOLVE (blas, OPENBLAS_SONAME, dsyrk, "cblas_dsyrk");
  RESOLVE (lapacke, LAPACKE_SONAME, dsyev, "LAPACKE_dsyev");
  RESOLVE (lapacke, LAPACKE_SONAME, dgesdd, "LAPACKE_dgesdd");
  RESOLVE (lapacke, LAPACKE_SONAME, dgesvd, "LAPACKE_dgesvd");
  RESOLVE (lapacke, LAPACKE_SONAME, dgeqrf, "LAPACKE_dgeqrf");
  RESOLVE (lapacke, LAPACKE_SONAME, dorgqr, "LAPACKE_dorgqr");

  g_mutex_lock (&threads_lock);
  if (wanted_threads > 0)
    table.set_num_threads (wanted_threads);
  loaded = TRUE;
  g_mutex_unlock (&threads_lock);
}

/* The table, loaded on first use by whichever thread comes first. */
static inline const Table *
get_table (void)
{
  if (g_once_init_enter (&table_ready))
    {
      load ();
      g_once_init_leave (&table_ready, 1);
    }
  return &table;
}

void
fs_blas_load (void)
{
  get_table ();
}

gboolean
fs_blas_is_loaded (void)
{
  return __atomic_load_n (&table_ready, __ATOMIC_ACQUIRE) != 0;
}

void
fs_blas_set_threads (guint threads)
{
  g_return_if_fail (threads >= 1);

  g_mutex_lock (&threads_lock);
  wanted_threads = (int) MIN (threads, (guint) G_MAXINT);
  if (loaded)
    table.set_num_threads (wanted_threads);
  g_mutex_unlock (&threads_lock);
}

guint
fs_blas_get_threads (void)
{
  int threads = get_table ()->get_num_threads ();

  return threads > 0 ? (guint) threads : 1;
}

const char *
fs_blas_get_corename (void)
{
  const char *name = get_table ()->get_corename ();

  return name != NULL ? name : "unknown";
}

/* The CBLAS and LAPACKE functions the core calls, as the headers declare them. */

double
cblas_ddot (OPENBLAS_CONST blasint n, OPENBLAS_CONST double *x, OPENBLAS_CONST blasint incx,
            OPENBLAS_CONST double *y, OPENBLAS_CONST blasint incy)
{
  return get_table ()->ddot (n, x, incx, y, incy);
}

double
cblas_dasum (OPENBLAS_CONST blasint n, OPENBLAS_CONST double *x, OPENBLAS_CONST blasint incx)
{
  return get_table ()->dasum (n, x, incx);
}

double
cblas_dnrm2 (OPENBLAS_CONST blasint N, OPENBLAS_CONST double *X, OPENBLAS_CONST blasint incX)
{
  return get_table ()->dnrm2 (N, X, incX);
}

CBLAS_INDEX
cblas_idamax (OPENBLAS_CONST blasint n, OPENBLAS_CONST double *x, OPENBLAS_CONST blasint incx)
{
  return get_table ()->idamax (n, x, incx);
}

void
cblas_daxpy (OPENBLAS_CONST blasint n, OPENBLAS_CONST double alpha, OPENBLAS_CONST double *x,
             OPENBLAS_CONST blasint incx, double *y, OPENBLAS_CONST blasint incy)
{
  get_table ()->daxpy (n, alpha, x, incx, y, incy);
}

void
cblas_dscal (OPENBLAS_CONST blasint N, OPENBLAS_CONST double alpha, double *X,
             OPENBLAS_CONST blasint incX)
{
  get_table ()->dscal (N, alpha, X, incX);
}

void
cblas_dgemv (OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE trans,
             OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n, OPENBLAS_CONST double alpha,
             OPENBLAS_CONST double *a, OPENBLAS_CONST blasint lda, OPENBLAS_CONST double *x,
             OPENBLAS_CONST blasint incx, OPENBLAS_CONST double beta, double *y,
             OPENBLAS_CONST blasint incy)
{
  get_table ()->dgemv (order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void
cblas_dgemm (OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,
             OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M,
             OPENBLAS_CONST blasint N, OPENBLAS_CONST blasint K, OPENBLAS_CONST double alpha,
             OPENBLAS_CONST double *A, OPENBLAS_CONST blasint lda, OPENBLAS_CONST double *B,
             OPENBLAS_CONST blasint ldb, OPENBLAS_CONST double beta, double *C,
             OPENBLAS_CONST blasint ldc)
{
  get_table ()->dgemm (Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void
cblas_sgemm (OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,
             OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M,
             OPENBLAS_CONST blasint N, OPENBLAS_CONST blasint K, OPENBLAS_CONST float alpha,
             OPENBLAS_CONST float *A, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *B,
             OPENBLAS_CONST blasint ldb, OPENBLAS_CONST float beta, float *C,
             OPENBLAS_CONST blasint ldc)
{
  get_table ()->sgemm (Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void
cblas_dsyrk (OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_UPLO Uplo,
             OPENBLAS_CONST enum CBLAS_TRANSPOSE Trans, OPENBLAS_CONST blasint N,
             OPENBLAS_CONST blasint K, OPENBLAS_CONST double alpha, OPENBLAS_CONST double *A,
             OPENBLAS_CONST blasint lda, OPENBLAS_CONST double beta, double *C,
             OPENBLAS_CONST blasint ldc)
{
  get_table ()->dsyrk (Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}

lapack_int
LAPACKE_dsyev (int matrix_layout, char jobz, char uplo, lapack_int n, double *a, lapack_int lda,
               double *w)
{
  return get_table ()->dsyev (matrix_layout, jobz, uplo, n, a, lda, w);
}

lapack_int
LAPACKE_dgesdd (int matrix_layout, char jobz, lapack_int m, lapack_int n, double *a,
                lapack_int lda, double *s, double *u, lapack_int ldu, double *vt,
                lapack_int ldvt)
{
  return get_table ()->dgesdd (matrix_layout, jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
}

lapack_int
LAPACKE_dgesvd (int matrix_layout, char jobu, char jobvt, lapack_int m, lapack_int n, double *a,
                lapack_int lda, double *s, double *u, lapack_int ldu, double *vt,
                lapack_int ldvt, double *superb)
{
  return get_table ()->dgesvd (matrix_layout, jobu, jobvt, m, n, a, lda, s, u, ldu, vt, ldvt,
                               superb);
}

lapack_int
LAPACKE_dgeqrf (int matrix_layout, lapack_int m, lapack_int n, double *a, lapack_int lda,
                double *tau)
{
  return get_table ()->dgeqrf (matrix_layout, m, n, a, lda, tau);
}

lapack_int
LAPACKE_dorgqr (int matrix_layout, lapack_int m, lapack_int n, lapack_int k, double *a,
                lapack_int lda, const double *tau)
{
  return get_table ()->dorgqr (matrix_layout, m, n, k, a, lda, tau);
}
