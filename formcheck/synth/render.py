"""Headless OpenGL rasteriser (moderngl on EGL): the only module that touches the GPU API.

One shader lights everything with a warm key light, a cool fill and sky/ground ambient
(half-Lambert, so the body reads as a rounded, clothed figure) and draws planks on the
floor. The static set is drawn once into colour + depth textures; each frame lays those
down, multiplies soft contact shadows onto the floor and draws the skinned body. A second,
flat pass gives the exact person mask. Multisampling is off by default: on llvmpipe 4x
MSAA triples the frame time, and the lab blurs the frame slightly like a lens instead.
"""

from __future__ import annotations

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.synth.camera import Camera
from formcheck.synth.scene import BODY, Mesh

EGL_HINT = ("install the synth extra: pip install -e '.[synth]'; needs an EGL driver "
            "(Debian: libegl1 libgl1 libgl1-mesa-dri)")
MAX_SHADOWS = 16

_VS = """
#version 330
uniform mat4 u_mvp;
in vec3 in_pos; in vec3 in_nrm; in vec3 in_col; in float in_mat;
out vec3 v_pos; out vec3 v_nrm; out vec3 v_col; out float v_mat;
void main() {
    v_pos = in_pos; v_nrm = in_nrm; v_col = in_col; v_mat = in_mat;
    gl_Position = u_mvp * vec4(in_pos, 1.0);
}
"""

_FS = """
#version 330
uniform vec3 u_key_dir; uniform vec3 u_key_col; uniform vec3 u_fill_dir; uniform vec3 u_fill_col;
uniform vec3 u_sky; uniform vec3 u_ground; uniform vec3 u_eye; uniform float u_exposure;
in vec3 v_pos; in vec3 v_nrm; in vec3 v_col; in float v_mat;
out vec4 f_col;
float hash(vec2 p) { return fract(sin(dot(p, vec2(127.1, 311.7))) * 43758.5453); }
void main() {
    vec3 n = normalize(v_nrm);
    if (!gl_FrontFacing) n = -n;
    vec3 albedo = v_col;
    if (v_mat > 0.5 && v_mat < 1.5) {          // floor: planks along x with per-board tone
        float board = floor(v_pos.z / 0.18);
        float joint = floor((v_pos.x + 1.7 * hash(vec2(board, 3.0))) / 1.6);
        float tone = 0.88 + 0.16 * hash(vec2(board, joint));
        float seam = smoothstep(0.0, 0.012, abs(fract(v_pos.z / 0.18) - 0.5) * 0.18 * 2.0);
        albedo *= tone * mix(0.8, 1.0, seam);
    } else if (v_mat > 1.5 && v_mat < 2.5) {   // wall: faint plaster mottling
        albedo *= 0.96 + 0.04 * hash(floor(v_pos.xy * 40.0) + floor(v_pos.zz * 40.0));
    }
    float key = 0.5 * dot(n, u_key_dir) + 0.5;   // half-Lambert
    key *= key;
    float fill = max(dot(n, u_fill_dir), 0.0);
    vec3 amb = mix(u_ground, u_sky, 0.5 * n.y + 0.5);
    vec3 light = amb + u_key_col * key + u_fill_col * fill;
    vec3 c = albedo * light;
    if (v_mat > 2.5) {                          // cloth/skin: a little sheen at grazing angles
        vec3 v = normalize(u_eye - v_pos);
        float rim = pow(1.0 - max(dot(n, v), 0.0), 3.0);
        c += 0.08 * rim * u_key_col;
    }
    f_col = vec4(pow(clamp(c * u_exposure, 0.0, 1.0), vec3(1.0 / 1.1)), 1.0);
}
"""

_FS_LABEL = """
#version 330
in vec3 v_pos; in vec3 v_nrm; in vec3 v_col; in float v_mat;
out vec4 f_col;
void main() { f_col = vec4(v_mat > 2.5 ? 1.0 : 0.0, 0.0, 0.0, 1.0); }
"""

# The static set is drawn once; each frame starts from its colour and depth images.
_VS_FULL = """
#version 330
void main() {
    vec2 p = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2);
    gl_Position = vec4(2.0 * p - 1.0, 0.0, 1.0);
}
"""

_FS_BACKDROP = """
#version 330
uniform sampler2D u_col; uniform sampler2D u_depth; uniform int u_black;
out vec4 f_col;
void main() {
    ivec2 p = ivec2(gl_FragCoord.xy);
    f_col = u_black == 1 ? vec4(0.0, 0.0, 0.0, 1.0) : texelFetch(u_col, p, 0);
    gl_FragDepth = texelFetch(u_depth, p, 0).r;
}
"""

# Soft contact shadows: a floor patch that multiplies what is under it.
_VS_DECAL = """
#version 330
uniform mat4 u_mvp;
in vec3 in_pos;
out vec3 v_pos;
void main() { v_pos = in_pos; gl_Position = u_mvp * vec4(in_pos, 1.0); }
"""

_FS_DECAL = """
#version 330
uniform vec4 u_shadow[16]; uniform int u_nshadow;
in vec3 v_pos;
out vec4 f_col;
void main() {
    float occl = 0.0;
    for (int i = 0; i < u_nshadow; ++i) {
        vec2 d = v_pos.xz - u_shadow[i].xz;
        float r = u_shadow[i].w;
        occl = max(occl, exp(-dot(d, d) / (r * r)) * clamp(1.0 - u_shadow[i].y / 0.9, 0.0, 1.0));
    }
    f_col = vec4(vec3(1.0 - 0.45 * occl), 1.0);
}
"""

DECAL_HALF = 2.2  # m: shadow patch half-size around the person
DECAL_HEIGHT = 0.012  # just above the exercise mat


def create_context():  # -> moderngl.Context
    """Standalone EGL context, or a FormcheckError telling the user what to install."""
    try:
        import moderngl
    except ImportError as exc:
        raise FormcheckError(f"moderngl is not installed; {EGL_HINT}.") from exc
    errors = []
    for kwargs in ({"backend": "egl"}, {"backend": "egl", "libegl": "libEGL.so.1", "libgl": "libGL.so.1"}):
        try:
            return moderngl.create_standalone_context(require=330, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure means "no usable EGL"
            errors.append(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    raise FormcheckError(f"cannot create a headless OpenGL (EGL) context ({errors[-1]}); {EGL_HINT}.")


def _used(prog, bindings: list[tuple]) -> list[tuple]:
    """Drop attributes the shader compiler optimised away (the label pass needs few)."""
    return [b for b in bindings if prog.get(b[2], None) is not None]


class Renderer:
    """Renders one static set plus one deforming body mesh per frame."""

    def __init__(self, camera: Camera, static: Mesh, body_faces: np.ndarray, body_colours: np.ndarray,
                 samples: int = 0, exposure: float = 1.0) -> None:
        self.camera = camera
        self.ctx = create_context()
        ctx = self.ctx
        size = (camera.width, camera.height)
        samples = min(samples, ctx.max_samples)
        self._prog = ctx.program(vertex_shader=_VS, fragment_shader=_FS)
        self._label = ctx.program(vertex_shader=_VS, fragment_shader=_FS_LABEL)
        self._backdrop = ctx.program(vertex_shader=_VS_FULL, fragment_shader=_FS_BACKDROP)
        self._decal = ctx.program(vertex_shader=_VS_DECAL, fragment_shader=_FS_DECAL)
        self._fbo_ms = ctx.framebuffer(ctx.renderbuffer(size, samples=samples),
                                       ctx.depth_renderbuffer(size, samples=samples))
        self._fbo = ctx.framebuffer(ctx.renderbuffer(size), ctx.depth_renderbuffer(size))
        mvp = (camera.gl_projection() @ camera.gl_view()).astype("f4")
        for prog in (self._prog, self._label, self._decal):
            prog["u_mvp"].write(mvp.T.tobytes())  # GL wants column-major
        self._set_lights(exposure)
        n = len(body_colours)
        self._body_pos = ctx.buffer(reserve=n * 12, dynamic=True)
        self._body_nrm = ctx.buffer(reserve=n * 12, dynamic=True)
        col = ctx.buffer(np.ascontiguousarray(body_colours, "f4").tobytes())
        mat = ctx.buffer(np.full(n, BODY, "f4").tobytes())
        ibo = ctx.buffer(np.ascontiguousarray(body_faces, "i4").tobytes())
        self._body = [
            ctx.vertex_array(prog, _used(prog, [(self._body_pos, "3f", "in_pos"), (self._body_nrm, "3f", "in_nrm"),
                                                (col, "3f", "in_col"), (mat, "1f", "in_mat")]), ibo)
            for prog in (self._prog, self._label)
        ]
        self._full = ctx.vertex_array(self._backdrop, [])
        self._decal_pos = ctx.buffer(reserve=4 * 12, dynamic=True)
        self._decal_vao = ctx.vertex_array(self._decal, [(self._decal_pos, "3f", "in_pos")],
                                           ctx.buffer(np.array([0, 1, 2, 0, 2, 3], "i4").tobytes()))
        self._bake_backdrop(static, size)

    def _bake_backdrop(self, static: Mesh, size: tuple[int, int]) -> None:
        """Draw the static set once: anti-aliased colour and single-sample depth textures."""
        ctx = self.ctx
        vao = self._vao(self._prog, static)
        ctx.enable(ctx.DEPTH_TEST)
        self._fbo_ms.use()
        self._fbo_ms.clear(0.93, 0.93, 0.92, 1.0)
        vao.render()
        ctx.copy_framebuffer(self._fbo, self._fbo_ms)  # resolve, then keep as a texture
        self._bg_col = ctx.texture(size, 4, self._fbo.read(components=4, alignment=1))
        self._bg_depth = ctx.depth_texture(size)
        self._bg_depth.compare_func = ""  # plain sampling, not a shadow sampler
        fbo = ctx.framebuffer(ctx.renderbuffer(size), self._bg_depth)
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        vao.render()
        self._backdrop["u_col"].value = 0
        self._backdrop["u_depth"].value = 1
        vao.release()

    def _vao(self, prog, mesh: Mesh):
        ctx = self.ctx
        bufs = [(ctx.buffer(np.ascontiguousarray(a, "f4").tobytes()), f, name) for a, f, name in
                ((mesh.pos, "3f", "in_pos"), (mesh.nrm, "3f", "in_nrm"), (mesh.col, "3f", "in_col"),
                 (mesh.mat, "1f", "in_mat"))]
        return ctx.vertex_array(prog, _used(prog, bufs), ctx.buffer(np.ascontiguousarray(mesh.faces, "i4").tobytes()))

    def _set_lights(self, exposure: float) -> None:
        p = self._prog
        eye = self.camera.position
        # Key light from above, in front of the camera and off to its side: the side the
        # camera sees is lit, the back outline stays readable against the wall.
        key = np.array([0.45, 0.85, 0.0]) + 0.55 * np.array([eye[0], 0.0, eye[2]]) / max(np.hypot(eye[0], eye[2]), 1e-6)
        p["u_key_dir"].value = tuple(key / np.linalg.norm(key))
        p["u_key_col"].value = (0.78, 0.74, 0.68)
        fill = np.array([-0.6, 0.3, 0.4])
        p["u_fill_dir"].value = tuple(fill / np.linalg.norm(fill))
        p["u_fill_col"].value = (0.16, 0.18, 0.22)
        p["u_sky"].value = (0.36, 0.37, 0.40)
        p["u_ground"].value = (0.20, 0.18, 0.16)
        p["u_eye"].value = tuple(float(x) for x in eye)
        p["u_exposure"].value = float(exposure)

    def _draw_backdrop(self, black: bool) -> None:
        ctx = self.ctx
        self._bg_col.use(0)
        self._bg_depth.use(1)
        self._backdrop["u_black"].value = int(black)
        ctx.depth_func = "1"  # always: the backdrop just lays down its colour and depth
        self._full.render(vertices=3)
        ctx.depth_func = "<"

    def render(self, verts: np.ndarray, normals: np.ndarray, shadows: np.ndarray | None = None,
               want_mask: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """RGB uint8 (H, W, 3) of the set with the body at ``verts``; optional bool mask.

        ``shadows`` (K, 4): floor points x, y (height above floor), z and radius for the
        soft contact shadows.
        """
        self._body_pos.write(np.ascontiguousarray(verts, "f4").tobytes())
        self._body_nrm.write(np.ascontiguousarray(normals, "f4").tobytes())
        ctx = self.ctx
        ctx.enable(ctx.DEPTH_TEST)
        self._fbo_ms.use()
        self._fbo_ms.clear(0.0, 0.0, 0.0, 1.0)
        self._draw_backdrop(black=False)
        if shadows is not None and len(shadows):
            self._draw_shadows(np.asarray(shadows, "f4"))
        self._body[0].render()
        ctx.copy_framebuffer(self._fbo, self._fbo_ms)
        rgb = self._read(3)
        mask = None
        if want_mask:
            self._fbo.use()
            self._fbo.clear(0.0, 0.0, 0.0, 1.0)
            self._draw_backdrop(black=True)
            self._body[1].render()
            mask = self._read(1)[:, :, 0] > 127
        return rgb, mask

    def _draw_shadows(self, shadows: np.ndarray) -> None:
        ctx = self.ctx
        k = min(len(shadows), MAX_SHADOWS)
        sh = np.zeros((MAX_SHADOWS, 4), "f4")
        sh[:k] = shadows[:k]
        self._decal["u_shadow"].write(sh.tobytes())
        self._decal["u_nshadow"].value = k
        cx, cz = shadows[:k, 0].mean(), shadows[:k, 2].mean()
        d, y = DECAL_HALF, DECAL_HEIGHT
        quad = np.array([[cx - d, y, cz + d], [cx + d, y, cz + d], [cx + d, y, cz - d], [cx - d, y, cz - d]], "f4")
        self._decal_pos.write(quad.tobytes())
        ctx.enable(ctx.BLEND)
        ctx.blend_func = ctx.ZERO, ctx.SRC_COLOR  # multiply the floor by the shadow factor
        self._fbo_ms.depth_mask = False
        self._decal_vao.render()
        self._fbo_ms.depth_mask = True
        ctx.disable(ctx.BLEND)

    def _read(self, components: int) -> np.ndarray:
        w, h = self.camera.width, self.camera.height
        raw = self._fbo.read(components=components, alignment=1)
        return np.frombuffer(raw, np.uint8).reshape(h, w, components)[::-1].copy()

    def close(self) -> None:
        self.ctx.release()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
