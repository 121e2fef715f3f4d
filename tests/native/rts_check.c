/*
 * A C host of librealtimeseg, built with gcc by the tests (tests/RealtimeSeg.Tests/Native/NativeLibraryTests.cs):
 * it dlopens the library, creates a headless EGL context, pushes frames, reads instances and masks, draws the
 * overlay into an FBO, checks error paths, and can loop create/push/destroy or time frames. Output is one fact per
 * line for the test to parse.
 *
 *   rts_check LIB MODEL results FRAME.ppm...   instances of each frame, then an overlay draw of the last one
 *   rts_check LIB MODEL errors FRAME.ppm       every error path: status and message
 *   rts_check LIB MODEL cycles N FRAME.ppm     N create/push/wait/destroy cycles; resident memory along the way
 *   rts_check LIB MODEL bench N FRAME.ppm...   N frames pushed and waited for in turn; frames a second
 *   rts_check LIB MODEL yuv FRAME.ppm          the frame pushed as RGB and as I420 (BT.601, limited): both results
 *   rts_check LIB MODEL shared FRAME.ppm...    one model, three streams: each one's results, memory, release order
 *   rts_check LIB MODEL gl-host FRAME.ppm      the overlay under hostile host GL state, without a context, on
 *                                              another thread, with a loader that lacks a function
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/glcorearb.h>
#include "realtimeseg.h"

/* Every function of the ABI, found with dlsym. */
#define RTS_FUNCTIONS(X) \
    X(rts_abi_version) X(rts_abi_minor) X(rts_now_ns) X(rts_last_error) X(rts_session_options_init) X(rts_session_create) \
    X(rts_session_destroy) X(rts_session_push) X(rts_session_latest) X(rts_session_wait) X(rts_session_stats) \
    X(rts_result_retain) X(rts_result_release) X(rts_result_info_get) X(rts_result_instance) X(rts_result_mask) \
    X(rts_result_raw_mask) X(rts_overlay_create) X(rts_overlay_draw) X(rts_overlay_host_gl_error) X(rts_overlay_destroy) \
    X(rts_model_load) X(rts_session_create_shared) X(rts_model_release)
#define DECLARE(name) static __typeof__(&name) p_##name;
RTS_FUNCTIONS(DECLARE)

static void load(const char* path)
{
    void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) { printf("fatal dlopen %s\n", dlerror()); exit(2); }
#define LOAD(name) if (!(p_##name = (__typeof__(p_##name))dlsym(lib, #name))) { printf("fatal missing %s\n", #name); exit(2); }
    RTS_FUNCTIONS(LOAD)
}

typedef struct { int width, height; unsigned char* rgb; } image;

static image read_ppm(const char* path)
{
    image im = {0, 0, NULL};
    FILE* f = fopen(path, "rb");
    int maxval = 0;
    if (!f || fscanf(f, "P6 %d %d %d", &im.width, &im.height, &maxval) != 3 || maxval != 255 || fgetc(f) == EOF) {
        printf("fatal cannot read %s\n", path);
        exit(2);
    }
    im.rgb = malloc((size_t)im.width * im.height * 3);
    if (fread(im.rgb, 3, (size_t)im.width * im.height, f) != (size_t)im.width * im.height) { printf("fatal short %s\n", path); exit(2); }
    fclose(f);
    return im;
}

static rts_session* create(const char* model)
{
    rts_session_options options;
    p_rts_session_options_init(&options);
    options.provider = "cpu";
    rts_session* session = NULL;
    if (p_rts_session_create(model, &options, &session) != RTS_OK) { printf("fatal create %s\n", p_rts_last_error()); exit(2); }
    return session;
}

static rts_result* push_and_wait(rts_session* session, const image* im)
{
    int64_t id = 0;
    rts_result* result = NULL;
    if (p_rts_session_push(session, im->rgb, im->width, im->height, im->width * 3, RTS_PIXEL_RGB24, p_rts_now_ns(), &id) != RTS_OK
        || p_rts_session_wait(session, id, 30000, &result) != RTS_OK) {
        printf("fatal push/wait %s\n", p_rts_last_error());
        exit(2);
    }
    return result;
}

/* --- headless GL: EGL surfaceless (Mesa), a 3.3 core context, an RGBA8 FBO --- */
static PFNGLGENFRAMEBUFFERSPROC glGenFramebuffers_;
static PFNGLBINDFRAMEBUFFERPROC glBindFramebuffer_;
static PFNGLGENRENDERBUFFERSPROC glGenRenderbuffers_;
static PFNGLBINDRENDERBUFFERPROC glBindRenderbuffer_;
static PFNGLRENDERBUFFERSTORAGEPROC glRenderbufferStorage_;
static PFNGLFRAMEBUFFERRENDERBUFFERPROC glFramebufferRenderbuffer_;
static PFNGLCLEARCOLORPROC glClearColor_;
static PFNGLCLEARPROC glClear_;
static PFNGLREADPIXELSPROC glReadPixels_;
static PFNGLFINISHPROC glFinish_;
static PFNGLPIXELSTOREIPROC glPixelStorei_;
static PFNGLGENBUFFERSPROC glGenBuffers_;
static PFNGLBINDBUFFERPROC glBindBuffer_;
static PFNGLBUFFERDATAPROC glBufferData_;
static PFNGLPOLYGONMODEPROC glPolygonMode_;
static PFNGLENABLEPROC glEnable_;
static PFNGLDISABLEPROC glDisable_;
static PFNGLLOGICOPPROC glLogicOp_;
static PFNGLGETINTEGERVPROC glGetIntegerv_;
static PFNGLISENABLEDPROC glIsEnabled_;
static PFNGLGETERRORPROC glGetError_;
static EGLDisplay g_display;
static EGLContext g_context;
static GLuint g_fbo;

static void* gl_loader(const char* name, void* user)
{
    (void)user;
    return (void*)eglGetProcAddress(name);
}

static void make_context(int width, int height)
{
    PFNEGLGETPLATFORMDISPLAYEXTPROC get_display = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
    EGLDisplay display = get_display ? get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL) : EGL_NO_DISPLAY;
    EGLint major, minor, count;
    EGLConfig config;
    const EGLint config_attributes[] = { EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE };
    const EGLint context_attributes[] = { EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
        EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE };
    if (display == EGL_NO_DISPLAY || !eglInitialize(display, &major, &minor) || !eglBindAPI(EGL_OPENGL_API)
        || !eglChooseConfig(display, config_attributes, &config, 1, &count) || count == 0) {
        printf("fatal egl display/config 0x%x\n", eglGetError());
        exit(2);
    }
    EGLContext context = eglCreateContext(display, config, EGL_NO_CONTEXT, context_attributes);
    g_display = display;
    g_context = context;
    if (context == EGL_NO_CONTEXT || !eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
        printf("fatal egl context 0x%x\n", eglGetError());
        exit(2);
    }
#define GLFN(type, name) name##_ = (type)eglGetProcAddress(#name)
    GLFN(PFNGLGENFRAMEBUFFERSPROC, glGenFramebuffers); GLFN(PFNGLBINDFRAMEBUFFERPROC, glBindFramebuffer);
    GLFN(PFNGLGENRENDERBUFFERSPROC, glGenRenderbuffers); GLFN(PFNGLBINDRENDERBUFFERPROC, glBindRenderbuffer);
    GLFN(PFNGLRENDERBUFFERSTORAGEPROC, glRenderbufferStorage); GLFN(PFNGLFRAMEBUFFERRENDERBUFFERPROC, glFramebufferRenderbuffer);
    GLFN(PFNGLCLEARCOLORPROC, glClearColor); GLFN(PFNGLCLEARPROC, glClear); GLFN(PFNGLREADPIXELSPROC, glReadPixels);
    GLFN(PFNGLFINISHPROC, glFinish); GLFN(PFNGLPIXELSTOREIPROC, glPixelStorei); GLFN(PFNGLGENBUFFERSPROC, glGenBuffers);
    GLFN(PFNGLBINDBUFFERPROC, glBindBuffer); GLFN(PFNGLBUFFERDATAPROC, glBufferData); GLFN(PFNGLPOLYGONMODEPROC, glPolygonMode);
    GLFN(PFNGLENABLEPROC, glEnable); GLFN(PFNGLDISABLEPROC, glDisable); GLFN(PFNGLLOGICOPPROC, glLogicOp);
    GLFN(PFNGLGETINTEGERVPROC, glGetIntegerv); GLFN(PFNGLISENABLEDPROC, glIsEnabled); GLFN(PFNGLGETERRORPROC, glGetError);
    GLuint fbo, colour;
    glGenFramebuffers_(1, &fbo);
    glBindFramebuffer_(GL_FRAMEBUFFER, fbo);
    glGenRenderbuffers_(1, &colour);
    glBindRenderbuffer_(GL_RENDERBUFFER, colour);
    glRenderbufferStorage_(GL_RENDERBUFFER, GL_RGBA8, width, height);
    glFramebufferRenderbuffer_(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour);
    g_fbo = fbo;
}

/* --- modes --- */

static int results(const char* model, int count, char** frames)
{
    rts_session* session = create(model);
    rts_result* last = NULL;
    for (int f = 0; f < count; f++) {
        image im = read_ppm(frames[f]);
        rts_result* result = push_and_wait(session, &im);
        rts_result_info info = { .struct_size = sizeof(rts_result_info) };
        p_rts_result_info_get(result, &info);
        printf("frame %d id %lld instances %d size %dx%d raw %d\n", f, (long long)info.frame_id, info.instance_count, info.width, info.height, info.raw_mask_size);
        for (int i = 0; i < info.instance_count; i++) {
            rts_instance in = { .struct_size = sizeof(rts_instance) };
            p_rts_result_instance(result, i, &in);
            printf("instance %d %d class %d %s score %.5f box %.3f %.3f %.3f %.3f track %d\n", f, i, in.class_id, in.class_name,
                in.score, in.box[0], in.box[1], in.box[2], in.box[3], in.track_id);
        }
        free(im.rgb);
        p_rts_result_release(last);
        last = result;
    }

    /* The last result's overlay: masks only, opaque white over black, so coverage is plain to read. */
    rts_result_info info = { .struct_size = sizeof(rts_result_info) };
    p_rts_result_info_get(last, &info);
    int w = info.width, h = info.height;
    make_context(w, h);
    rts_overlay* overlay = NULL;
    if (p_rts_overlay_create(gl_loader, NULL, &overlay) != RTS_OK) { printf("fatal overlay %s\n", p_rts_last_error()); return 2; }
    unsigned char* pixels = malloc((size_t)w * h * 4);
    unsigned char* mask = malloc((size_t)w * h);
    for (int pass = 0; pass < 2; pass++) {
        glClearColor_(0, 0, 0, 1);
        glClear_(GL_COLOR_BUFFER_BIT);
        uint32_t flags = pass == 0 ? RTS_DRAW_MASKS : RTS_DRAW_DEFAULT;
        if (p_rts_overlay_draw(overlay, last, 0, 0, w, h, flags, 0) != RTS_OK) { printf("fatal draw %s\n", p_rts_last_error()); return 2; }
        glFinish_();
        glReadPixels_(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
        if (pass == 1) {
            /* With the frame drawn the picture is the frame's: a pixel far from every box shows the scene. */
            long lit = 0;
            for (long p = 0; p < (long)w * h; p++) lit += pixels[4 * p] + pixels[4 * p + 1] + pixels[4 * p + 2] > 0;
            printf("drawn-with-frame lit %.4f\n", (double)lit / ((double)w * h));
            break;
        }
        /* Every instance: mask pixels should be coloured, the rest of the frame black (GL rows run bottom-up). */
        long inside = 0, inside_lit = 0, outside = 0, outside_lit = 0;
        unsigned char* any = calloc((size_t)w * h, 1);
        for (int i = 0; i < info.instance_count; i++) {
            if (p_rts_result_mask(last, i, mask, (int64_t)w * h, 0) != RTS_OK) { printf("fatal mask %s\n", p_rts_last_error()); return 2; }
            for (long p = 0; p < (long)w * h; p++) any[p] |= mask[p];
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                const unsigned char* px = pixels + 4 * ((size_t)(h - 1 - y) * w + x);
                int lit = px[0] + px[1] + px[2] > 0;
                if (any[(size_t)y * w + x]) { inside++; inside_lit += lit; } else { outside++; outside_lit += lit; }
            }
        }
        printf("drawn masks inside %ld lit %.4f outside %ld lit %.4f\n", inside, (double)inside_lit / (double)(inside ? inside : 1),
            outside, (double)outside_lit / (double)(outside ? outside : 1));
        free(any);
    }
    free(pixels);
    free(mask);
    p_rts_overlay_destroy(overlay);
    p_rts_result_release(last);
    rts_stats stats = { .struct_size = sizeof(rts_stats) };
    p_rts_session_stats(session, &stats);
    printf("stats pushed %lld results %lld provider %s\n", (long long)stats.frames_pushed, (long long)stats.results, stats.provider);
    p_rts_session_destroy(session);
    return 0;
}

typedef struct { rts_session* session; int64_t started_ns, ended_ns; rts_status status; char message[512]; } waiter;

static void* wait_for_unpushed(void* arg)
{
    waiter* w = arg;
    rts_result* result = NULL;
    w->started_ns = p_rts_now_ns();
    w->status = p_rts_session_wait(w->session, 1000, 20000, &result);
    w->ended_ns = p_rts_now_ns();
    snprintf(w->message, sizeof w->message, "%s", w->status == RTS_OK ? "" : p_rts_last_error());
    p_rts_result_release(result);
    return NULL;
}

/* A thread waiting for a result the session never gives, and the session destroyed under it: woken, not left to its 20 s. */
static void wait_woken_by_destroy(const char* model)
{
    waiter w = { .session = create(model) };
    pthread_t thread;
    pthread_create(&thread, NULL, wait_for_unpushed, &w);
    struct timespec pause = { 0, 300000000 };
    nanosleep(&pause, NULL);
    p_rts_session_destroy(w.session);
    pthread_join(thread, NULL);
    printf("error wait-woken-by-destroy status %d message %s\n", (int)w.status, w.message);
    printf("wait-woken-after-ms %.0f\n", (double)(w.ended_ns - w.started_ns) / 1e6);
}

#define EXPECT(label, call) do { rts_status s_ = (call); printf("error %s status %d message %s\n", label, (int)s_, s_ == RTS_OK ? "" : p_rts_last_error()); } while (0)

static int errors(const char* model, const char* frame)
{
    rts_session* none = NULL;
    rts_result* nothing = NULL;
    EXPECT("bad-model-path", p_rts_session_create("/nonexistent/model.onnx", NULL, &none));
    EXPECT("null-model-path", p_rts_session_create(NULL, NULL, &none));
    EXPECT("null-out-session", p_rts_session_create(model, NULL, NULL));
    rts_session_options options;
    p_rts_session_options_init(&options);
    options.struct_size = 0;
    EXPECT("options-size-0", p_rts_session_create(model, &options, &none));
    p_rts_session_options_init(&options);
    options.provider = "warp-drive";
    EXPECT("bad-provider", p_rts_session_create(model, &options, &none));
    p_rts_session_options_init(&options);
    const int32_t unknown_class[] = { 1, 99 };
    options.provider = "cpu";
    options.classes = unknown_class;
    options.class_count = 2;
    EXPECT("unknown-class", p_rts_session_create(model, &options, &none));
    p_rts_session_options_init(&options);
    options.provider = "cuda";
    EXPECT("cuda-on-cpu-build", p_rts_session_create(model, &options, &none));
    EXPECT("null-session-push", p_rts_session_push(NULL, "", 1, 1, 3, RTS_PIXEL_RGB24, 0, NULL));
    EXPECT("null-session-latest", p_rts_session_latest(NULL, &nothing));

    rts_session* session = create(model);
    image im = read_ppm(frame);
    EXPECT("null-pixels", p_rts_session_push(session, NULL, im.width, im.height, im.width * 3, RTS_PIXEL_RGB24, 0, NULL));
    EXPECT("bad-format", p_rts_session_push(session, im.rgb, im.width, im.height, im.width * 3, (rts_pixel_format)9, 0, NULL));
    EXPECT("short-stride", p_rts_session_push(session, im.rgb, im.width, im.height, im.width, RTS_PIXEL_RGB24, 0, NULL));
    EXPECT("wait-unpushed-frame", p_rts_session_wait(session, 1000, 300, &nothing));
    EXPECT("negative-stride", p_rts_session_push(session, im.rgb + (size_t)(im.height - 1) * im.width * 3, im.width, im.height, -im.width * 3, RTS_PIXEL_RGB24, 0, NULL));
    EXPECT("huge-frame", p_rts_session_push(session, im.rgb, 100000, 2, 300000, RTS_PIXEL_RGB24, 0, NULL));
    EXPECT("negative-timeout", p_rts_session_wait(session, 1, -1, &nothing));
    rts_result* result = push_and_wait(session, &im);
    rts_result_info info = { .struct_size = 0 };
    EXPECT("info-size-0", p_rts_result_info_get(result, &info));
    rts_instance in = { .struct_size = sizeof(rts_instance) };
    EXPECT("instance-out-of-range", p_rts_result_instance(result, 1000, &in));
    EXPECT("null-instance", p_rts_result_instance(result, 0, NULL));
    unsigned char small[16];
    EXPECT("small-mask-buffer", p_rts_result_mask(result, 0, small, sizeof small, 0));
    EXPECT("null-mask-buffer", p_rts_result_mask(result, 0, NULL, 0, 0));
    float probabilities[4];
    EXPECT("small-raw-buffer", p_rts_result_raw_mask(result, 0, probabilities, 4));
    EXPECT("null-overlay-draw", p_rts_overlay_draw(NULL, result, 0, 0, 10, 10, RTS_DRAW_DEFAULT, 0));
    rts_overlay* no_overlay = NULL;
    EXPECT("null-loader", p_rts_overlay_create(NULL, NULL, &no_overlay));
    EXPECT("no-gl-context", p_rts_overlay_create(gl_loader, NULL, &no_overlay)); /* this mode never makes one current */
    EXPECT("fine-call-after-errors", p_rts_result_instance(result, 0, &in));
    printf("last-error-after-success %s\n", p_rts_last_error()[0] ? "kept" : "empty");
    p_rts_result_release(result);
    p_rts_session_destroy(session);
    p_rts_session_destroy(NULL);
    p_rts_result_release(NULL);
    printf("abi %u header %d\n", p_rts_abi_version(), RTS_ABI_VERSION);
    printf("minor %u header-minor %d\n", p_rts_abi_minor(), RTS_ABI_MINOR);
    wait_woken_by_destroy(model);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long mono = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    printf("clock-skew-ms %.3f\n", (double)(p_rts_now_ns() - mono) / 1e6);
    free(im.rgb);
    return 0;
}

/* --- shared: several streams through one loaded model --- */

static long resident_kb(void);

static int shared(const char* model_path, int count, char** frames)
{
    rts_session_options options;
    p_rts_session_options_init(&options);
    options.provider = "cpu";
    rts_model* model = NULL;
    long before_load = resident_kb();
    if (p_rts_model_load(model_path, &options, &model) != RTS_OK) { printf("fatal model %s\n", p_rts_last_error()); return 2; }
    long after_load = resident_kb();
    rts_session* streams[3] = { NULL, NULL, NULL };
    for (int k = 0; k < 3; k++) {
        rts_session_options own;
        p_rts_session_options_init(&own);
        own.min_score = 0.3f + 0.1f * (float)k; /* each stream its own options */
        if (p_rts_session_create_shared(model, &own, &streams[k]) != RTS_OK) { printf("fatal shared %s\n", p_rts_last_error()); return 2; }
    }
    long after_sessions = resident_kb();
    printf("resident-kb before-load %ld after-load %ld after-3-sessions %ld\n", before_load, after_load, after_sessions);
    p_rts_model_release(model); /* the sessions keep it */
    for (int round = 0; round < 2; round++) {
        for (int k = round; k < 3; k++) { /* round 1: stream 0 is gone, the others go on */
            image im = read_ppm(frames[(k + round) % count]);
            rts_result* result = push_and_wait(streams[k], &im);
            rts_result_info info = { .struct_size = sizeof(rts_result_info) };
            p_rts_result_info_get(result, &info);
            int first_track = 0;
            for (int i = 0; i < info.instance_count; i++) {
                rts_instance in = { .struct_size = sizeof(rts_instance) };
                p_rts_result_instance(result, i, &in);
                first_track = i == 0 || in.track_id < first_track ? in.track_id : first_track;
            }
            printf("stream %d round %d id %lld instances %d lowest-track %d\n", k, round, (long long)info.frame_id, info.instance_count, first_track);
            p_rts_result_release(result);
            free(im.rgb);
        }
        if (round == 0) p_rts_session_destroy(streams[0]);
    }
    for (int k = 1; k < 3; k++) {
        rts_stats stats = { .struct_size = sizeof(rts_stats) };
        p_rts_session_stats(streams[k], &stats);
        printf("stats stream %d pushed %lld results %lld\n", k, (long long)stats.frames_pushed, (long long)stats.results);
        p_rts_session_destroy(streams[k]);
    }
    rts_session* none = NULL;
    EXPECT("shared-null-model", p_rts_session_create_shared(NULL, NULL, &none));
    EXPECT("model-load-missing", p_rts_model_load("/nonexistent/m.onnx", NULL, &model));
    EXPECT("model-load-null-out", p_rts_model_load(model_path, NULL, NULL));
    p_rts_model_release(NULL);
    printf("shared-done\n");
    return 0;
}

/* --- yuv: a host's decoder frames, I420 with padded rows --- */

static unsigned char clamp_byte(double v) { return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5); }

static void print_instances(const char* label, rts_result* result)
{
    rts_result_info info = { .struct_size = sizeof(rts_result_info) };
    p_rts_result_info_get(result, &info);
    for (int i = 0; i < info.instance_count; i++) {
        rts_instance in = { .struct_size = sizeof(rts_instance) };
        p_rts_result_instance(result, i, &in);
        printf("%s %d class %d score %.4f box %.2f %.2f %.2f %.2f\n", label, i, in.class_id, in.score, in.box[0], in.box[1], in.box[2], in.box[3]);
    }
}

static int yuv(const char* model, const char* frame)
{
    image im = read_ppm(frame);
    int w = im.width, h = im.height, stride = w + 32; /* padded rows, as decoders align them */
    unsigned char* planes = calloc((size_t)stride * h * 3 / 2, 1);
    unsigned char *Y = planes, *U = planes + (size_t)stride * h, *V = U + (size_t)(stride / 2) * (h / 2);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const unsigned char* p = im.rgb + 3 * ((size_t)y * w + x);
            Y[(size_t)y * stride + x] = clamp_byte(16 + 0.257 * p[0] + 0.504 * p[1] + 0.098 * p[2]);
        }
    }
    for (int y = 0; y < h / 2; y++) {
        for (int x = 0; x < w / 2; x++) {
            double u = 0, v = 0;
            for (int k = 0; k < 4; k++) {
                const unsigned char* p = im.rgb + 3 * ((size_t)(2 * y + k / 2) * w + 2 * x + k % 2);
                u += -0.148 * p[0] - 0.291 * p[1] + 0.439 * p[2];
                v += 0.439 * p[0] - 0.368 * p[1] - 0.071 * p[2];
            }
            U[(size_t)y * (stride / 2) + x] = clamp_byte(128 + u / 4);
            V[(size_t)y * (stride / 2) + x] = clamp_byte(128 + v / 4);
        }
    }
    rts_session* session = create(model);
    rts_result* rgb = push_and_wait(session, &im);
    print_instances("rgb-instance", rgb);
    p_rts_result_release(rgb);
    p_rts_session_destroy(session);

    session = create(model); /* a session of its own: no track carried over from the RGB frame */
    int64_t id = 0;
    rts_result* result = NULL;
    if (p_rts_session_push(session, planes, w, h, stride, RTS_PIXEL_I420_BT601, 0, &id) != RTS_OK
        || p_rts_session_wait(session, id, 30000, &result) != RTS_OK) {
        printf("fatal yuv push/wait %s\n", p_rts_last_error());
        return 2;
    }
    print_instances("yuv-instance", result);
    p_rts_result_release(result);
    EXPECT("odd-yuv-stride", p_rts_session_push(session, planes, w, h, w + 1, RTS_PIXEL_I420_BT709, 0, NULL));
    EXPECT("odd-yuv-size", p_rts_session_push(session, planes, w - 1, h, stride, RTS_PIXEL_I420_BT601_FULL, 0, NULL));
    EXPECT("bad-format-8", p_rts_session_push(session, planes, w, h, stride, (rts_pixel_format)8, 0, NULL));
    p_rts_session_destroy(session);
    free(planes);
    free(im.rgb);
    return 0;
}

/* --- gl-host: the overlay under whatever GL state a host leaves --- */

static long differing_bytes(const unsigned char* a, const unsigned char* b, size_t n)
{
    long d = 0;
    for (size_t i = 0; i < n; i++) d += a[i] != b[i];
    return d;
}

static void clean_state(void)
{
    glPixelStorei_(GL_UNPACK_SKIP_ROWS, 0); glPixelStorei_(GL_UNPACK_SKIP_PIXELS, 0); glPixelStorei_(GL_UNPACK_SKIP_IMAGES, 0);
    glPixelStorei_(GL_UNPACK_SWAP_BYTES, 0); glPixelStorei_(GL_UNPACK_ROW_LENGTH, 0); glPixelStorei_(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei_(GL_PACK_SKIP_ROWS, 0); glPixelStorei_(GL_PACK_ALIGNMENT, 4);
    glBindBuffer_(GL_PIXEL_UNPACK_BUFFER, 0);
    glPolygonMode_(GL_FRONT_AND_BACK, GL_FILL);
    glDisable_(GL_COLOR_LOGIC_OP);
    glDisable_(GL_RASTERIZER_DISCARD);
    glBindFramebuffer_(GL_FRAMEBUFFER, g_fbo);
}

static GLuint g_host_buffer;

/* What a careless host leaves: skipped unpack rows and pixels, swapped bytes, its small unpack buffer bound, line
   polygons, an XOR logic op, rasterizer discard, and a GL_INVALID_ENUM of its own pending. */
static void hostile_state(void)
{
    glPixelStorei_(GL_UNPACK_SKIP_ROWS, 4000); glPixelStorei_(GL_UNPACK_SKIP_PIXELS, 37); glPixelStorei_(GL_UNPACK_SKIP_IMAGES, 64);
    glPixelStorei_(GL_UNPACK_SWAP_BYTES, 1); glPixelStorei_(GL_UNPACK_ROW_LENGTH, 17); glPixelStorei_(GL_UNPACK_ALIGNMENT, 8);
    glBindBuffer_(GL_PIXEL_UNPACK_BUFFER, g_host_buffer);
    glPolygonMode_(GL_FRONT_AND_BACK, GL_LINE);
    glEnable_(GL_COLOR_LOGIC_OP);
    glLogicOp_(GL_XOR);
    glEnable_(GL_RASTERIZER_DISCARD);
    glEnable_(0x7FFF);
}

static int hostile_state_kept(void)
{
    GLint v[8];
    glGetIntegerv_(GL_UNPACK_SKIP_ROWS, &v[0]); glGetIntegerv_(GL_UNPACK_SKIP_PIXELS, &v[1]); glGetIntegerv_(GL_UNPACK_SKIP_IMAGES, &v[2]);
    glGetIntegerv_(GL_UNPACK_SWAP_BYTES, &v[3]); glGetIntegerv_(GL_UNPACK_ROW_LENGTH, &v[4]); glGetIntegerv_(GL_UNPACK_ALIGNMENT, &v[5]);
    glGetIntegerv_(GL_PIXEL_UNPACK_BUFFER_BINDING, &v[6]); glGetIntegerv_(GL_POLYGON_MODE, &v[7]);
    return v[0] == 4000 && v[1] == 37 && v[2] == 64 && v[3] == 1 && v[4] == 17 && v[5] == 8 && v[6] == (GLint)g_host_buffer
        && v[7] == GL_LINE && glIsEnabled_(GL_COLOR_LOGIC_OP) && glIsEnabled_(GL_RASTERIZER_DISCARD);
}

static void draw_and_read(rts_overlay* overlay, rts_result* result, int w, int h, int hostile, unsigned char* into)
{
    clean_state();
    glClearColor_(0, 0, 0, 1);
    glClear_(GL_COLOR_BUFFER_BIT);
    if (hostile) hostile_state();
    rts_status s = p_rts_overlay_draw(overlay, result, 0, 0, w, h, RTS_DRAW_DEFAULT | RTS_DRAW_TRACK_IDS, 0);
    if (s != RTS_OK) printf("draw-failed %s status %d message %s\n", hostile ? "hostile" : "clean", (int)s, p_rts_last_error());
    if (hostile) {
        printf("hostile-state-kept %d host-error-after %d\n", hostile_state_kept(), (int)glGetError_());
        printf("host-gl-error 0x%04x\n", p_rts_overlay_host_gl_error(overlay));
    }
    clean_state();
    glFinish_();
    glReadPixels_(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, into);
}

typedef struct { rts_overlay* overlay; rts_result* result; rts_status status; char message[512]; } drawer;

static void* draw_elsewhere(void* arg)
{
    drawer* d = arg;
    d->status = p_rts_overlay_draw(d->overlay, d->result, 0, 0, 64, 64, RTS_DRAW_DEFAULT, 0);
    snprintf(d->message, sizeof d->message, "%s", d->status == RTS_OK ? "" : p_rts_last_error());
    return NULL;
}

static void* loader_without_bind_sampler(const char* name, void* user)
{
    return strcmp(name, "glBindSampler") ? gl_loader(name, user) : NULL;
}

static int gl_host(const char* model, const char* frame)
{
    rts_session* session = create(model);
    image im = read_ppm(frame);
    rts_result* result = push_and_wait(session, &im);
    int w = im.width, h = im.height;
    size_t bytes = (size_t)w * h * 4;
    make_context(w, h);
    glGenBuffers_(1, &g_host_buffer);
    glBindBuffer_(GL_PIXEL_UNPACK_BUFFER, g_host_buffer);
    glBufferData_(GL_PIXEL_UNPACK_BUFFER, 64, NULL, GL_STREAM_DRAW);
    glBindBuffer_(GL_PIXEL_UNPACK_BUFFER, 0);
    unsigned char* clean = malloc(bytes);
    unsigned char* hostile = malloc(bytes);

    rts_overlay* overlay = NULL;
    if (p_rts_overlay_create(gl_loader, NULL, &overlay) != RTS_OK) { printf("fatal overlay %s\n", p_rts_last_error()); return 2; }
    draw_and_read(overlay, result, w, h, 0, clean);
    printf("host-gl-error-clean 0x%04x\n", p_rts_overlay_host_gl_error(overlay));
    /* A second overlay created and first drawn under the hostile state (its textures allocated with the host's buffer bound). */
    hostile_state();
    rts_overlay* second = NULL;
    rts_status created = p_rts_overlay_create(gl_loader, NULL, &second);
    printf("hostile-create status %d %s\n", (int)created, created == RTS_OK ? "" : p_rts_last_error());
    draw_and_read(second, result, w, h, 1, hostile);
    printf("hostile-first-draw-diff %ld\n", differing_bytes(clean, hostile, bytes));
    draw_and_read(overlay, result, w, h, 1, hostile);
    printf("hostile-draw-diff %ld\n", differing_bytes(clean, hostile, bytes));
    draw_and_read(overlay, result, w, h, 0, hostile);
    printf("clean-after-hostile-diff %ld\n", differing_bytes(clean, hostile, bytes));
    p_rts_overlay_destroy(second);

    /* No framebuffer: a surfaceless context has no default one. */
    glBindFramebuffer_(GL_FRAMEBUFFER, 0);
    EXPECT("no-framebuffer", p_rts_overlay_draw(overlay, result, 0, 0, w, h, RTS_DRAW_DEFAULT, 0));
    glBindFramebuffer_(GL_FRAMEBUFFER, g_fbo);
    /* Another thread, where no context is current. */
    drawer d = { .overlay = overlay, .result = result };
    pthread_t thread;
    pthread_create(&thread, NULL, draw_elsewhere, &d);
    pthread_join(thread, NULL);
    printf("error draw-on-another-thread status %d message %s\n", (int)d.status, d.message);
    /* This thread after the host released its context. */
    eglMakeCurrent(g_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    EXPECT("draw-without-context", p_rts_overlay_draw(overlay, result, 0, 0, w, h, RTS_DRAW_DEFAULT, 0));
    eglMakeCurrent(g_display, EGL_NO_SURFACE, EGL_NO_SURFACE, g_context);
    EXPECT("draw-after-context-back", p_rts_overlay_draw(overlay, result, 0, 0, w, h, RTS_DRAW_DEFAULT, 0));
    rts_overlay* broken = NULL;
    EXPECT("loader-returns-null", p_rts_overlay_create(loader_without_bind_sampler, NULL, &broken));

    p_rts_overlay_destroy(overlay);
    p_rts_result_release(result);
    p_rts_session_destroy(session);
    free(clean);
    free(hostile);
    free(im.rgb);
    return 0;
}

static long resident_kb(void)
{
    long pages = 0, resident = 0;
    FILE* f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) return -1;
    fclose(f);
    return resident * 4;
}

static int cycles(const char* model, int n, const char* frame)
{
    image im = read_ppm(frame);
    for (int c = 1; c <= n; c++) {
        rts_session* session = create(model);
        p_rts_result_release(push_and_wait(session, &im));
        p_rts_session_destroy(session);
        if (c % 100 == 0 || c == n) printf("cycle %d resident-kb %ld\n", c, resident_kb());
    }
    free(im.rgb);
    return 0;
}

static int bench(const char* model, int n, int count, char** frames)
{
    image* images = malloc(sizeof(image) * (size_t)count);
    for (int f = 0; f < count; f++) images[f] = read_ppm(frames[f]);
    rts_session* session = create(model);
    for (int f = 0; f < 10; f++) p_rts_result_release(push_and_wait(session, &images[f % count])); /* warm-up */
    int64_t start = p_rts_now_ns();
    for (int f = 0; f < n; f++) p_rts_result_release(push_and_wait(session, &images[f % count]));
    double seconds = (double)(p_rts_now_ns() - start) / 1e9;
    printf("bench frames %d seconds %.3f fps %.2f\n", n, seconds, n / seconds);
    p_rts_session_destroy(session);
    return 0;
}

int main(int argc, char** argv)
{
    if (argc < 5) { fprintf(stderr, "usage: rts_check LIB MODEL results|errors|cycles|bench ...\n"); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    load(argv[1]);
    if (!strcmp(argv[3], "results")) return results(argv[2], argc - 4, argv + 4);
    if (!strcmp(argv[3], "errors")) return errors(argv[2], argv[4]);
    if (!strcmp(argv[3], "cycles") && argc >= 6) return cycles(argv[2], atoi(argv[4]), argv[5]);
    if (!strcmp(argv[3], "gl-host")) return gl_host(argv[2], argv[4]);
    if (!strcmp(argv[3], "yuv")) return yuv(argv[2], argv[4]);
    if (!strcmp(argv[3], "shared")) return shared(argv[2], argc - 4, argv + 4);
    if (!strcmp(argv[3], "bench") && argc >= 6) return bench(argv[2], atoi(argv[4]), argc - 5, argv + 5);
    fprintf(stderr, "unknown mode %s\n", argv[3]);
    return 2;
}
