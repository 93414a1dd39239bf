use super::*;

fn projected(text: &str) -> Projection {
    let projection = project(text);
    assert!(preserves_layout(text, &projection.python), "{text:?}");
    projection
}

fn py(text: &str) -> String {
    projected(text).python
}

fn parse_errors(python: &str) -> Vec<String> {
    ruff_python_parser::parse_unchecked_source(python, ruff_python_ast::PySourceType::Python)
        .errors()
        .iter()
        .map(|e| format!("{}: {}", u32::from(e.location.start()), e.error))
        .collect()
}

#[track_caller]
fn parses(text: &str) -> Projection {
    let projection = projected(text);
    let errors = parse_errors(&projection.python);
    assert!(errors.is_empty(), "{errors:?} in\n{}", projection.python);
    projection
}

#[test]
fn smoke() {
    assert_eq!(
        py("cdef class Foo(Base):\n    pass\n"),
        "class      Foo(Base):\n    pass\n"
    );
}

#[test]
fn classes_keep_offsets() {
    let p = parses("cdef public class Foo [object FooObject, type FooType]:\n    pass\n");
    assert_eq!(
        p.python,
        "class             Foo                                 :\n    pass\n"
    );
    assert_eq!(
        p.decls.cdef_classes,
        vec![TextRange::new(18.into(), 21.into())]
    );
    let p = parses("@cython.final\ncdef final class X:\n    cdef int n\n");
    assert_eq!(
        p.python,
        "@cython.final\nclass            X:\n    0;       n\n"
    );
}

#[test]
fn functions_of_every_kind() {
    assert_eq!(
        py("cdef int foo(int x):\n  return x\n"),
        "def      foo(    x):\n  return x\n"
    );
    assert_eq!(
        py("cpdef inline double[:] f(self) except? -1 nogil:\n  pass\n"),
        "def                    f(self)                 :\n  pass\n"
    );
    for text in [
        "cdef (int, int) pair(int a):\n    return a, a\n",
        "cdef public api object g(object o not None, list x=None):\n    return o\n",
        "cdef void h() noexcept nogil:\n    pass\n",
        "cdef int k() except +:\n    pass\n",
        "cdef int m() except *:\n    pass\n",
        "cdef const char* n() with gil:\n    pass\n",
        "cdef vector[int] tmpl(vector[int] v):\n    return v\n",
        "def f(int flags=0, *args, **kwargs):\n    pass\n",
        "def f(self, Py_buffer *buffer, int flags):\n    pass\n",
        "def f(np.ndarray[np.float64_t, ndim=2] a not None, double[:, ::1] arr):\n    pass\n",
        "def f(const unsigned char[:] data, char **argv, x=g(1, 2)):\n    pass\n",
        "def f(a, b: int = 3, *, c) -> int:\n    pass\n",
        "cdef int one_line(self): return 1\n",
    ] {
        parses(text);
    }
}

#[test]
fn declarations_without_bodies_are_not_functions() {
    let p =
        parses("cdef class A:\n    cdef int f(self, int)\n    cpdef object g(self, char*, ...)\n");
    assert_eq!(
        p.python,
        "class      A:\n    pass                 \n    pass                            \n"
    );
    assert!(p.decls.declarations.is_empty());
}

#[test]
fn typed_parameters_are_recorded() {
    let text = "def __getbuffer__(self, Py_buffer *buffer, int flags):\n    pass\n";
    let p = parses(text);
    let [buffer, flags] = &p.decls.declarations[..] else {
        panic!("{:?}", p.decls)
    };
    assert_eq!(buffer.name, "buffer");
    assert_eq!(&text[buffer.name_range], "buffer");
    assert_eq!(&text[buffer.range], "Py_buffer *buffer");
    assert!(buffer.parameter);
    assert_eq!(
        buffer.ctype,
        CType {
            base: "Py_buffer".into(),
            pointers: 1,
            array: false,
            memoryview: false
        }
    );
    assert_eq!(flags.ctype.base, "int");
    let p = parses("def f(const unsigned char[:] data, char **argv):\n    pass\n");
    let [data, argv] = &p.decls.declarations[..] else {
        panic!("{:?}", p.decls)
    };
    assert_eq!(
        data.ctype,
        CType {
            base: "const unsigned char".into(),
            pointers: 0,
            array: false,
            memoryview: true
        }
    );
    assert_eq!(argv.ctype.pointers, 2);
}

#[test]
fn variable_declarations() {
    assert_eq!(py("cdef Py_ssize_t n = 0\n"), "0;              n = 0\n");
    assert_eq!(py("cdef int a, *b, c[2]\n"), "0;       a;  b; c   \n");
    let text = "def f():\n    cdef Py_ssize_t shape[2]\n    cdef char *p = NULL, **q\n";
    let p = parses(text);
    let names: Vec<_> = p
        .decls
        .declarations
        .iter()
        .map(|d| {
            (
                d.name.as_str(),
                d.ctype.base.as_str(),
                d.ctype.pointers,
                d.ctype.array,
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("shape", "Py_ssize_t", 0, true),
            ("p", "char", 1, false),
            ("q", "char", 2, false)
        ]
    );
    assert_eq!(
        &text[p.decls.declarations[0].range],
        "cdef Py_ssize_t shape[2]"
    );
    for text in [
        "cdef public object shape\n",
        "cdef readonly double[:] mv\n",
        "cdef np.ndarray[double] a = np.zeros(3)\n",
        "cdef (int, int) t = (1, 2)\n",
        "cdef list x = []\n",
        "cdef object x\n",
        "cdef x\n",
        "cdef dict d = {'a': <int>1, 'b': 2}\n",
        "cdef map[string, int] m\n",
        "cdef int (*f)(int)\n",
        "cdef unique_ptr[Foo] p = make_unique[Foo]()\n",
        "cdef Foo* p = new Foo(1)\n",
    ] {
        parses(text);
    }
}

#[test]
fn types_over_several_lines() {
    // Cython 3.3.1, tests/run/pep526_variable_annotations_cy.pyx.
    let text = "def f():\n    cdef tuple[\n        dict[tuple[str, int], tuple[int, str]],\n        list[tuple[int, int]]\n    ] ta = (\n        {('a', 1): (2, 'b')},\n    )\n    return ta\n";
    let p = parses(text);
    assert_eq!(p.decls.declarations[0].name, "ta");
    parses("cdef np.ndarray[np.float64_t,\n                ndim=2] a = np.zeros((2, 2))\n");
}

#[test]
fn declaration_blocks() {
    let text = "def f():\n    cdef:\n        int i\n        double x = 0, y\n        object o\n    return i\n";
    let p = parses(text);
    assert!(p.python.starts_with("def f():\n    if 1:\n        0;  i\n"));
    assert_eq!(p.decls.declarations.len(), 4);
    assert_eq!(&text[p.decls.declarations[1].range], "double x = 0, y");
    parses("cdef class A:\n    cdef public:\n        int n\n        object o\n    cdef readonly:\n        list xs\n");
}

#[test]
fn pure_c_blocks_become_pass() {
    let text = "cdef extern from \"Python.h\" nogil:\n    ctypedef struct PyObject:\n        pass\n    int PyObject_GetBuffer(object, Py_buffer*, int) except -1\n\ncdef struct S:\n    int a\n    char *b\ncdef packed struct P:\n    int a\ncdef union U:\n    int a\ncdef enum:\n    A = 1\ncpdef enum Color:\n    red\nctypedef fused T:\n    int\n    double\ncdef cppclass C:\n    C()\nctypedef double (*f_t)(double) nogil\nctypedef unsigned char uchar\ncdef struct Fwd\nx = 1\n";
    let p = parses(text);
    assert!(p
        .python
        .starts_with("pass                              \n    "));
    assert!(p.python.ends_with("x = 1\n"));
    // A header with nothing after it.
    parses("cdef extern from *:\n\n\n");
    parses("cdef extern from *:\n    \"\"\"\n    static int x = 1;\n    \"\"\"\n    int x\n");
}

#[test]
fn imports_and_compile_time() {
    assert_eq!(py("cimport numpy as cnp\n"), "import  numpy as cnp\n");
    assert_eq!(
        py("from libc.stdlib cimport malloc, free\n"),
        "from libc.stdlib  import malloc, free\n"
    );
    assert_eq!(py("include \"x.pxi\"\n"), "pass           \n");
    assert_eq!(py("DEF X = 5\n"), "0;  X = 5\n");
    assert_eq!(
        py("IF UNAME_SYSNAME == 'Linux':\n    x = 1\nELIF X:\n    x = 2\nELSE:\n    x = 3\n"),
        "if UNAME_SYSNAME == 'Linux':\n    x = 1\nelif X:\n    x = 2\nelse:\n    x = 3\n"
    );
    assert_eq!(py("IF = 1\n"), "IF = 1\n");
}

#[test]
fn casts_and_comparisons() {
    let text = "x = <char*>p\ny = a < b > c\nz = x<y\nif a <b and c> d: pass\nreturn <object>self.obj\nw = <Py_ssize_t>len(x)\nv = <const char*>s + <T?>t\nu = f(<object><void*>p, [<int>q])\n";
    let p = parses(text);
    let casts: Vec<_> = p.decls.casts.iter().map(|c| c.ctype.as_str()).collect();
    assert_eq!(
        casts,
        [
            "char*",
            "object",
            "Py_ssize_t",
            "const char*",
            "T?",
            "object",
            "void*",
            "int"
        ]
    );
    assert_eq!(&text[p.decls.casts[0].range], "<char*>");
    assert!(p
        .python
        .contains("y = a < b > c\nz = x<y\nif a <b and c> d"));
    let offset = TextSize::try_from(text.find("self.obj").unwrap()).unwrap();
    assert_eq!(
        p.decls
            .cast_before(&p.python, offset)
            .map(|c| c.ctype.as_str()),
        Some("object")
    );
    // A memoryview cast.
    parses("cdef double[:] mv = <double[:n]>ptr\n");
    // Cython 3.3.1, tests/run/ctuple.pyx: a C tuple cast.
    let p = parses("x, y = <(int, double)>o\n");
    assert_eq!(p.decls.casts[0].ctype, "(int, double)");
}

#[test]
fn address_of() {
    let text =
        "buffer.shape = &self.shape[0]\nf(&x, flags & PyBUF_ND, (&y))\nz = a&b\nw = <void*>&v\n";
    let p = parses(text);
    assert_eq!(p.decls.address_of.len(), 4);
    assert!(p.python.contains("flags & PyBUF_ND") && p.python.contains("a&b"));
    let offset = TextSize::try_from(text.find("self.shape").unwrap()).unwrap();
    assert!(p.decls.address_of_before(&p.python, offset));
}

#[test]
fn sizeof_new_and_char_literals() {
    assert_eq!(py("n = sizeof(char*)\n"), "n = sizeof(     )\n");
    assert_eq!(py("n = sizeof(x)\n"), "n = sizeof(x)\n");
    assert_eq!(py("c = c'a'\n"), "c =  'a'\n");
    parses("n = sizeof(unsigned char) * sizeof(Py_ssize_t *)\nif c == c'\\n': pass\n");
    // An expression in `sizeof` stays (and is read as one).
    let p = parses("n = sizeof(buf[0]) + sizeof(<char*>p)\n");
    assert!(p.python.starts_with("n = sizeof(buf[0])"));
    assert_eq!(p.decls.casts.len(), 1);
    // A variable named `new` is not C++'s operator.
    assert_eq!(py("x = new if c else old\n"), "x = new if c else old\n");
    // Cython 3.3.1, tests/run/lambda_module_T603.pyx: typed lambda arguments.
    let p = parses("typed_lambda = lambda int x : (lambda int y: x + y)\n");
    assert_eq!(p.decls.declarations.len(), 2);
}

#[test]
fn strings_and_comments_are_untouched() {
    let text = "s = \"cdef int x <char*>p &q\"  # cdef <T>x & y\nt = b'<a>' + r'\\'cdef' + f\"{x}\" + u'\\u00e9'\nd = '''\ncdef class X:\n'''\n";
    assert_eq!(py(text), text);
    // Non-ASCII bytes are never touched, even in a blanked C block.
    let text = "cdef extern from *:\n    \"\"\"\n    /* café */\n    \"\"\"\n    int é\nx = 'é'\n";
    let p = projected(text);
    assert_eq!(p.python.matches('é').count(), 3);
}

#[test]
fn legacy_property_blocks() {
    let text = "cdef class A:\n    property __array_interface__:\n        def __get__(self):\n            return {}\n";
    let p = parses(text);
    assert!(p.python.contains("    class    __array_interface__:\n"));
    assert_eq!(&text[p.decls.legacy_properties[0]], "__array_interface__");
}

#[test]
fn legacy_for_from() {
    assert_eq!(
        py("for i from 0 <= i < n by 2:\n    pass\n"),
        "for i in   0 <= i < n     :\n    pass\n"
    );
}

#[test]
fn line_endings_and_tabs() {
    parses("cdef class A:\r\n\tcdef int x\r\n\tdef f(self, int y):\r\n\t\treturn <int>y\r\n");
    parses("cdef int \\\n    x = 1\n");
}

#[test]
fn real_snippets() {
    // mpi4py 4.1.2, src/mpi4py/MPI.src/Comm.pyx: a typed parameter with an annotation.
    let p = parses("cdef class Comm:\n    def __cinit__(self, Comm comm: Comm | None = None):\n        <void> comm  # unused\n");
    assert_eq!(p.decls.declarations[0].name, "comm");
    // mpi4py 4.1.2, src/mpi4py/MPI.src/typedec.pxi: a for-from loop in a comprehension.
    parses("def f(p, start, last):\n    return [p[i] for i from start <= i <= last]\n");
    // mpi4py 4.1.2, src/mpi4py/MPI.src/commimpl.pxi: a cast after a one-line `if`.
    parses("def f(comm):\n    if comm == MPI_COMM_SELF:  <void>MPI_Comm_free_keyval(&commlock_keyval)\n");
    // Cython 3.3.1, Cython/Compiler/Visitor.pxd: a decorated declaration.
    parses("cdef class TreeVisitor:\n    @cython.final\n    cdef _visit_binop_node(self, node)\n    cdef public list access_path\n");
    // Cython 3.3.1, Cython/Includes/libcpp/exception.pxd: a C name string.
    parses("cdef inline void __pyx_call_rethrow_exception \"__pyx_call_rethrow_exception\"(exception_ptr e) except*:\n    pass\ncdef object __pyx_abc \"__pyx_abc\"\n");
}

#[test]
fn more_real_snippets() {
    // mpi4py 4.1.2, src/mpi4py/MPI.src/Group.pyx: a pointer to arrays after a comma.
    parses("def f():\n    cdef int *p = NULL, (*ranges)[3]\n    return p\n");
    // mpi4py 4.1.2, src/mpi4py/MPI.src/errhimpl.pxi: C varargs in a definition.
    parses(
        "cdef void errhdl_01(mpi_scwf_t *handle, int *errcode, ...) noexcept nogil:\n    pass\n",
    );
    // mpi4py 4.1.2, src/mpi4py/MPI.src/msgpickle.pxi: a variable named `match`.
    let p = parses("def f():\n    cdef MPI_Message match = MPI_MESSAGE_NULL\n");
    assert_eq!(p.decls.declarations[0].name, "match");
    // mpi4py 4.1.2, src/mpi4py/MPI.src/opimpl.pxi: C integer suffixes.
    parses("def f(self):\n    self.flags &= (1U << 24U) - 1UL\n");
    // mpi4py 4.1.2, src/mpi4py/MPI.src/typedec.pxi, typestr.pxi: function pointer parameters.
    let p = parses("cdef int f(\n    int (*visit)(Datatype) except -1,\n    const char *(*convert)(MPI_Datatype) noexcept nogil,\n) except -1:\n    return visit(x)\n");
    let names: Vec<_> = p
        .decls
        .declarations
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["visit", "convert"]);
}

#[test]
fn lxml_and_pyarrow_snippets() {
    // lxml 6.0.2, src/lxml/classlookup.pxi: type names over two lines.
    let text = "cdef public class ElementBase(_Element) [ type LxmlElementBaseType,\n                                          object LxmlElementBase ]:\n    pass\n";
    let p = parses(text);
    assert_eq!(&text[p.decls.cdef_classes[0]], "ElementBase");
    parses("cdef public class A [ type AType,\n  object AObject ]:\n    pass\n");
    // lxml 6.0.2, src/lxml/etree.pyx; pyarrow 26.0.1, pyarrow/io.pxi: Python 2's raise.
    parses("def f(key):\n    raise KeyError, key\n\ndef g(exc_info):\n    if exc_info: raise exc_info[0], exc_info[1], exc_info[2]\n    raise TypeError, \\\n        \"no\"\n");
}

#[test]
fn lxml_prefixes_and_async() {
    // lxml 6.0.2, src/lxml/etree.pyx: a `ur` string.
    assert_eq!(py("x = ur\"[^\\x20]+\"\n"), "x =  r\"[^\\x20]+\"\n");
    // lxml 6.0.2, src/lxml/serializer.pxi: a typed parameter of an async method.
    let p =
        parses("cdef class W:\n    async def _close(self, bint raise_on_error):\n        pass\n");
    assert_eq!(p.decls.declarations[0].name, "raise_on_error");
}

#[test]
fn python_2_in_cython_tests() {
    // Cython 3.3.1, tests/run/*.pyx (language_level=2): print statements, `<>`, `ru''`.
    assert_eq!(py("print \"a\", b\n"), "0;    \"a\", b\n");
    parses("def f(x):\n    print x,\n    print >>sys.stderr, x\n    if x: print [c for c in x]\n    z = x; print z\n    print(x)\n    print\n");
    parses("while i < k and n % p[i] <> 0:\n    pass\ns = ru'\\x20'\n");
    assert_eq!(py("exec u\"b=1+1\" in d\n"), "0;   u\"b=1+1\" in d\n");
    // Cython 3.3.1, tests/compile/ia_cdefblock.pyx: a class in a `cdef public:` block.
    parses("cdef public:\n    int pub_v\n    class PubBlarg [object PubBlargObj, type PubBlargType]:\n        pass\n");
    // Cython 3.3.1, tests/run/unicode_identifiers.pxd: a declaration with a non-ASCII name.
    parses("cdef class A:\n    cdef εxciting_cdef(self)\n");
}

#[test]
fn casts_in_fstrings() {
    // lxml 6.0.2, src/lxml/apihelpers.pxi: a cast in an f-string's replacement field.
    let text = "raise ValueError(f\"Invalid tag name {(<bytes>tag_utf).decode('utf8')!r}\")\n";
    let p = parses(text);
    assert_eq!(p.decls.casts[0].ctype, "bytes");
    assert_eq!(&text[p.decls.casts[0].range], "<bytes>");
    // Cython 3.3.1, tests/run/py_unicode_strings.pyx.
    parses(
        "assert u1[i] == u2[i], f\"at {i}: {<long>u1[i]} != {<long>u2[i]} ({u1!r} != {u2!r})\"\n",
    );
    // Not casts: a comparison, literal text, a doubled brace.
    for text in [
        "x = f\"{a < b > c}\"\n",
        "x = f\"<b>{x}</b>\"\n",
        "x = f\"{{<T>x}}\"\n",
    ] {
        assert_eq!(py(text), text);
    }
}

mod arbitrary {
    use proptest::prelude::*;

    use super::super::{preserves_layout, project};

    /// Pieces of Cython, of Python and of nothing in particular, in any order.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "cdef ",
            "cpdef ",
            "ctypedef ",
            "class ",
            "def ",
            "property ",
            "extern from ",
            "struct ",
            "int ",
            "char *",
            "Py_buffer *b",
            "double[:, ::1] ",
            "(int, int) ",
            "x",
            "y = ",
            "0",
            "<",
            ">",
            "<char*>",
            "&",
            "*",
            "**",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            ";",
            "=",
            ".",
            "?",
            "@",
            "\n",
            "\r\n",
            "\r",
            "    ",
            "\t",
            "\\\n",
            "# c\n",
            "'s'",
            "\"",
            "'''",
            "c'a'",
            "f\"{<T>x}\"",
            "ur'",
            "é",
            "€ ",
            "not None",
            "except? -1",
            "nogil",
            "sizeof(",
            "new ",
            "cimport ",
            "from ",
            "include ",
            "DEF ",
            "IF ",
            "ELSE",
            "print ",
            "raise ",
            "for i from ",
            " by ",
            "match",
            "1UL",
            "...",
            "\0",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn any_text_keeps_its_layout(pieces in prop::collection::vec(piece(), 0..40)) {
            let text: String = pieces.concat();
            let projection = project(&text);
            prop_assert!(preserves_layout(&text, &projection.python), "{:?}", text);
            let decls = &projection.decls;
            for d in &decls.declarations {
                prop_assert!(d.range.contains_range(d.name_range), "{:?}", text);
            }
            // In text order: the look-ups are binary searches.
            prop_assert!(decls.declarations.is_sorted_by_key(|d| d.range.start()), "{:?}", text);
            prop_assert!(decls.casts.is_sorted_by_key(|c| c.range.start()), "{:?}", text);
            prop_assert!(decls.address_of.is_sorted(), "{:?}", text);
            prop_assert!(decls.cdef_classes.is_sorted_by_key(|r| r.start()), "{:?}", text);
        }
    }
}

#[test]
fn unbalanced_brackets_stay_linear() {
    // One logical line to the end of the text: each look-up of a closer is a pairing made
    // by the scanner, not a scan (with a scan per look-up this input is quadratic).
    let text = format!("x = ({}\n", "sizeof(<T*>&a, raise b, c, [d".repeat(20_000));
    let start = std::time::Instant::now();
    projected(&text);
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

/// The projection's AST has the Cython text's classes, methods, parameters, properties,
/// returns and dict literals, at the Cython text's offsets.
#[test]
fn the_ast_sits_at_the_cython_offsets() {
    use ruff_python_ast::{Expr, Stmt};
    // pyarrow 26.0.1, pyarrow/io.pxi (`Buffer.__getbuffer__`, shortened), and a legacy
    // property block.
    let text = "cdef class Buffer(_Weakrefable):\n    cdef Py_ssize_t shape[1]\n\n    def __getbuffer__(self, cp.Py_buffer* buffer, int flags):\n        if flags & cp.PyBUF_WRITABLE:\n            raise BufferError(\"not mutable\")\n        buffer.buf = <char *>self.buffer.get().data()\n        buffer.shape = &self.shape[0]\n\n    property __array_interface__:\n        def __get__(self):\n            return {\"shape\": (self.shape[0],), \"typestr\": \"|u1\"}\n";
    let p = parses(text);
    let parsed = ruff_python_parser::parse_module(&p.python).expect("the projection parses");
    let Stmt::ClassDef(class) = &parsed.syntax().body[0] else {
        panic!("a class")
    };
    assert_eq!(&text[class.name.range], "Buffer");
    assert!(p.decls.is_cdef_class(class.name.range));
    let methods: Vec<_> = class
        .body
        .iter()
        .filter_map(|s| match s {
            Stmt::FunctionDef(f) => Some(f),
            _ => None,
        })
        .collect();
    let getbuffer = methods[0];
    assert_eq!(&text[getbuffer.name.range], "__getbuffer__");
    let names: Vec<_> = getbuffer
        .parameters
        .args
        .iter()
        .map(|a| &text[a.parameter.name.range])
        .collect();
    assert_eq!(names, ["self", "buffer", "flags"]);
    let [buffer, flags] = &p.decls.declarations[1..] else {
        panic!("{:?}", p.decls.declarations)
    };
    assert_eq!(
        (buffer.ctype.base.as_str(), buffer.ctype.pointers),
        ("cp.Py_buffer", 1)
    );
    assert_eq!(flags.name, "flags");
    assert_eq!(p.decls.within(getbuffer.range).count(), 2);
    // `flags & cp.PyBUF_WRITABLE` stays binary; `&self.shape[0]` is an address.
    assert_eq!(p.decls.address_of.len(), 1);
    assert_eq!(p.decls.casts[0].ctype, "char *");
    let Some(Stmt::ClassDef(block)) = class.body.last() else {
        panic!("the legacy property block")
    };
    assert!(p.decls.is_legacy_property(block.name.range));
    let Stmt::FunctionDef(getter) = &block.body[0] else {
        panic!("__get__")
    };
    let Stmt::Return(ret) = &getter.body[0] else {
        panic!("return")
    };
    let Some(Expr::Dict(dict)) = ret.value.as_deref() else {
        panic!("a dict")
    };
    assert!(text[dict.range].starts_with("{\"shape\""));
}
