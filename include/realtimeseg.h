/*
 * realtimeseg.h: the C ABI of librealtimeseg, real-time Mask R-CNN instance segmentation with an OpenGL overlay.
 *
 * A host (an engine in C or C++) loads a Mask R-CNN ONNX model into a session, pushes its camera or video frames,
 * takes the newest result whenever it likes (inference runs on the library's own threads and never blocks the
 * host), reads the instances (box, score, class, track id, mask) and draws the overlay into its own OpenGL
 * context. The library is a NativeAOT build of RealtimeSeg's C# API; ONNX Runtime's native library ships beside it.
 *
 *   rts_session_options options;
 *   rts_session_options_init(&options);
 *   options.provider = "cpu";
 *   rts_session* session = NULL;
 *   if (rts_session_create("model.onnx", &options, &session) != RTS_OK) {
 *       fprintf(stderr, "%s\n", rts_last_error());
 *       return 1;
 *   }
 *   rts_overlay* overlay = NULL;                      // on the render thread, the host's GL context current
 *   if (rts_overlay_create(get_proc_address, NULL, &overlay) != RTS_OK)   // e.g. a wrapper of eglGetProcAddress
 *       fprintf(stderr, "%s\n", rts_last_error());
 *   rts_session_push(session, pixels, width, height, stride, RTS_PIXEL_RGB24, rts_now_ns(), NULL);  // each frame
 *   rts_result* result = NULL;
 *   if (rts_session_latest(session, &result) == RTS_OK && result) {                                 // any time
 *       rts_overlay_draw(overlay, result, 0, 0, viewport_width, viewport_height, RTS_DRAW_DEFAULT, 0);
 *       rts_result_release(result);
 *   }
 *   rts_overlay_destroy(overlay);                     // on the render thread, context still current
 *   rts_session_destroy(session);
 *
 * Errors. Every call that can fail returns an rts_status; RTS_OK is 0. On failure rts_last_error() gives a
 * one-line message naming the problem and the fix, for the calling thread, until that thread's next failing call.
 * No exception or signal ever crosses the boundary. NULL handles and pointers, and structs whose struct_size is
 * wrong, are errors (RTS_ERROR_INVALID_ARGUMENT), not crashes. A handle used after it was destroyed or released
 * is undefined behaviour, as in any C API.
 *
 * Structs. Every struct starts with uint32_t struct_size. Set it to sizeof(the struct) (the *_init functions do):
 * the library reads and writes only that many bytes, so a host built against an older header keeps working
 * with a newer library. A size smaller than the ABI v1 struct is an error.
 *
 * Threads.
 *   - rts_session_create / rts_session_destroy: any thread, not while another call on the same session runs
 *     (rts_session_wait excepted: destroy wakes it).
 *   - rts_model_load, rts_session_create_shared, rts_model_release: any thread.
 *   - rts_session_push: one thread at a time per session (any thread).
 *   - rts_session_latest, rts_session_wait, rts_session_stats: any thread, concurrently.
 *   - rts_result_*: any thread; a result is immutable and reference-counted (rts_result_retain / _release).
 *   - rts_overlay_*: only on the thread where the overlay's GL context is current, every call.
 *   - rts_abi_version, rts_now_ns, rts_last_error, rts_session_options_init: any thread.
 *
 * Clock. Capture times are nanoseconds on the clock rts_now_ns() reads (CLOCK_MONOTONIC on Linux); 0 means "now".
 */
#ifndef REALTIMESEG_H
#define REALTIMESEG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define RTS_API __declspec(dllimport)
#else
#  define RTS_API __attribute__((visibility("default")))
#endif

/*
 * The ABI this header describes. rts_abi_version() returns the library's; equal versions are compatible. Within a
 * version, functions are only ever added: RTS_ABI_MINOR counts the additions (rts_abi_minor() is the library's;
 * a host needing a later addition checks it, or looks the function up with dlsym / GetProcAddress).
 *   minor 1: rts_abi_minor, rts_overlay_host_gl_error.
 *   minor 2: the RTS_PIXEL_I420_* formats of rts_session_push.
 *   minor 3: rts_model_load, rts_session_create_shared, rts_model_release (several streams, one model).
 */
#define RTS_ABI_VERSION 1
#define RTS_ABI_MINOR 3

typedef enum rts_status {
    RTS_OK = 0,
    RTS_ERROR_INVALID_ARGUMENT = 1, /* NULL where a value is needed, a bad size, a value out of range */
    RTS_ERROR_MODEL = 2,            /* the model cannot be loaded or run (missing file, not a Mask R-CNN, provider) */
    RTS_ERROR_BUFFER_TOO_SMALL = 3, /* a host buffer cannot hold what was asked for; the message says how big */
    RTS_ERROR_UNAVAILABLE = 4,      /* not in this result (raw masks from a model that pastes its own) */
    RTS_ERROR_TIMEOUT = 5,          /* rts_session_wait: no such result in time */
    RTS_ERROR_GL = 6,               /* OpenGL: too old a context, no context current, a GL error while drawing */
    RTS_ERROR_STOPPED = 7,          /* the session stopped by itself (the model failed on a frame); see the message */
    RTS_ERROR_INTERNAL = 8          /* a bug in the library: please report the message */
} rts_status;

typedef enum rts_pixel_format {
    RTS_PIXEL_RGBA32 = 0,
    RTS_PIXEL_BGRA32 = 1,
    RTS_PIXEL_RGB24 = 2,
    RTS_PIXEL_BGR24 = 3,
    /* Since minor 2: I420, planar YUV 4:2:0 as decoders and cameras give it: the luma plane (`stride` bytes a row),
       then U and V at half size (stride / 2 bytes a row), one after another; width, height and stride even. The
       model and the overlay convert it at their own resolution: no RGB copy is made. The matrix and range: */
    RTS_PIXEL_I420_BT601 = 4,      /* limited range (16-235): SD video */
    RTS_PIXEL_I420_BT709 = 5,      /* limited range: HD video */
    RTS_PIXEL_I420_BT601_FULL = 6, /* full range (0-255): JPEG and most webcams (yuvj420p) */
    RTS_PIXEL_I420_BT709_FULL = 7
} rts_pixel_format;

/* What rts_overlay_draw draws: OR these together. */
enum {
    RTS_DRAW_FRAME = 1u << 0,     /* the result's frame under the overlay (off: over the host's own picture) */
    RTS_DRAW_MASKS = 1u << 1,     /* mask fills */
    RTS_DRAW_OUTLINES = 1u << 2,  /* mask outlines */
    RTS_DRAW_BOXES = 1u << 3,     /* box rectangles */
    RTS_DRAW_LABELS = 1u << 4,    /* class names on chips */
    RTS_DRAW_SCORES = 1u << 5,    /* scores after the names */
    RTS_DRAW_TRACK_IDS = 1u << 6, /* "#12" after the names: the object's track id */
    RTS_DRAW_DEFAULT = RTS_DRAW_FRAME | RTS_DRAW_MASKS | RTS_DRAW_OUTLINES | RTS_DRAW_BOXES | RTS_DRAW_LABELS | RTS_DRAW_SCORES
};

typedef struct rts_model rts_model;     /* a loaded model that several sessions share (since minor 3) */
typedef struct rts_session rts_session; /* one stream: its model and its inference threads */
typedef struct rts_result rts_result;   /* one frame's instances, with the frame; reference-counted */
typedef struct rts_overlay rts_overlay; /* the GL objects of the overlay in one GL context */

typedef struct rts_session_options {
    uint32_t struct_size;        /* sizeof(rts_session_options) */
    const char* provider;        /* "auto" (NULL: the default), "cpu", "cuda", "tensorrt", "dml", "coreml", "webgpu" */
    int32_t threads;             /* ONNX Runtime intra-op threads, 0 to 256; 0: its default (the physical cores) */
    float min_score;             /* instances scoring lower are dropped; default 0.5 */
    const int32_t* classes;      /* class ids to keep (class_count of them); NULL: every class */
    int32_t class_count;
    int32_t max_instances;       /* at most this many per result, best first; default 100 */
    float max_inference_fps;     /* cap on the model's rate; 0 (default): as fast as it goes */
    const char* labels_path;     /* class names file; NULL: the model's metadata or MODEL.labels.txt beside it */
} rts_session_options;

typedef struct rts_result_info {
    uint32_t struct_size;        /* sizeof(rts_result_info) */
    int32_t instance_count;
    int64_t frame_id;            /* the id rts_session_push returned for the frame */
    int64_t capture_time_ns;     /* the frame's capture time */
    int32_t width;               /* the frame's size: boxes and masks are in its pixels */
    int32_t height;
    int32_t raw_mask_size;       /* M of the raw M x M masks (28), 0 when the model pastes its own */
    float latency_ms;            /* capture to result */
} rts_result_info;

typedef struct rts_instance {
    uint32_t struct_size;        /* sizeof(rts_instance) */
    float box[4];                /* x1, y1, x2, y2 in frame pixels */
    float score;                 /* 0..1 */
    int32_t class_id;            /* the model's class id (0 is background, never an instance) */
    int32_t track_id;            /* stays with the object from result to result; 0 where nothing tracked it */
    char class_name[64];         /* UTF-8, NUL-terminated (truncated at 63 bytes) */
} rts_instance;

typedef struct rts_stats {
    uint32_t struct_size;        /* sizeof(rts_stats) */
    float inference_fps;         /* results a second, recently */
    float latency_ms;            /* capture to result, median of recent results */
    int64_t frames_pushed;
    int64_t frames_dropped;      /* pushed frames the model had no time for (newest wins) */
    int64_t results;
    char provider[32];           /* the execution provider in use: "cpu", "cuda", ... */
} rts_stats;

/* The host's GL loader: returns the address of GL function `name` (glXGetProcAddress, eglGetProcAddress, SDL_GL_GetProcAddress...). */
typedef void* (*rts_get_proc_address_fn)(const char* name, void* user_data);

RTS_API uint32_t rts_abi_version(void);
/* Since minor 1. A library without it is minor 0. */
RTS_API uint32_t rts_abi_minor(void);
RTS_API int64_t rts_now_ns(void);
/* The calling thread's last error message (UTF-8); "" when none. Valid until this thread's next failing call. */
RTS_API const char* rts_last_error(void);

/* Fills *options with the defaults and its struct_size. */
RTS_API rts_status rts_session_options_init(rts_session_options* options);
/* Loads the model (ONNX Runtime session, provider, warm-up run) and starts inference; options may be NULL. */
RTS_API rts_status rts_session_create(const char* model_path, const rts_session_options* options, rts_session** out_session);
/*
 * Since minor 3: several streams (cameras, feeds) through one model. rts_model_load loads the model once (the
 * provider, threads and labels_path of options apply; options may be NULL); each rts_session_create_shared is a
 * stream over it, with its own frames, newest result, tracker and stats and no second copy of the model (its
 * min_score, classes, max_instances and max_inference_fps apply). The sessions of one model take turns at it in
 * the order their frames are ready, so none is starved and one without frames holds up none. rts_model_release
 * gives back the host's handle: the model is freed once that is done and its last session destroyed.
 */
RTS_API rts_status rts_model_load(const char* model_path, const rts_session_options* options, rts_model** out_model);
RTS_API rts_status rts_session_create_shared(rts_model* model, const rts_session_options* options, rts_session** out_session);
RTS_API void rts_model_release(rts_model* model);
/* Stops inference (within about a second) and frees the session; results still held stay valid. NULL is ignored. */
RTS_API void rts_session_destroy(rts_session* session);

/*
 * Copies one frame (rows `stride` bytes apart, top row first; stride at least a row's bytes, so never negative;
 * 1 to 16384 pixels a side; for RTS_PIXEL_I420_* the three planes from `pixels` on) and hands it to inference, newest wins: a frame the model had no
 * time for is replaced by the next and counted as dropped. The host's buffer is free again when this returns.
 * capture_time_ns: when the host captured it (0: now). out_frame_id (may be NULL): the id results carry.
 */
RTS_API rts_status rts_session_push(rts_session* session, const void* pixels, int32_t width, int32_t height, int32_t stride,
    rts_pixel_format format, int64_t capture_time_ns, int64_t* out_frame_id);
/* The newest result, without waiting: *out_result is NULL (and RTS_OK) until the first. Release it when done. */
RTS_API rts_status rts_session_latest(rts_session* session, rts_result** out_result);
/*
 * Waits up to timeout_ms (0: only looks; negative is RTS_ERROR_INVALID_ARGUMENT) for a result of frame `frame_id`
 * or a later one; RTS_ERROR_TIMEOUT if none came. RTS_ERROR_STOPPED at once when the session stopped, or is
 * destroyed by another thread while this one waits.
 */
RTS_API rts_status rts_session_wait(rts_session* session, int64_t frame_id, int32_t timeout_ms, rts_result** out_result);
RTS_API rts_status rts_session_stats(rts_session* session, rts_stats* out_stats);

/* Takes another reference (returns result); each reference needs its own rts_result_release. */
RTS_API rts_result* rts_result_retain(rts_result* result);
/* Gives back one reference; the last frees the result. NULL is ignored. */
RTS_API void rts_result_release(rts_result* result);
RTS_API rts_status rts_result_info_get(const rts_result* result, rts_result_info* out_info);
RTS_API rts_status rts_result_instance(const rts_result* result, int32_t index, rts_instance* out_instance);
/*
 * Instance `index`'s mask in frame pixels: `height` rows of `width` bytes (255 inside, 0 outside), `stride` bytes
 * apart (0: width), written into mask (mask_size bytes, at least stride * (height - 1) + width).
 */
RTS_API rts_status rts_result_mask(const rts_result* result, int32_t index, uint8_t* mask, int64_t mask_size, int32_t stride);
/*
 * Instance `index`'s raw mask: M x M probabilities (row-major, M = raw_mask_size) over its box, into
 * probabilities (count floats, at least M * M). RTS_ERROR_UNAVAILABLE for models that paste their own masks.
 */
RTS_API rts_status rts_result_raw_mask(const rts_result* result, int32_t index, float* probabilities, int64_t count);

/*
 * An overlay for the GL context current on this thread (OpenGL 3.3 core or newer), its functions found through
 * get_proc_address. Create, draw and destroy it on that thread.
 */
RTS_API rts_status rts_overlay_create(rts_get_proc_address_fn get_proc_address, void* user_data, rts_overlay** out_overlay);
/*
 * Draws the result into the bound framebuffer inside the viewport (GL window coordinates, origin bottom-left),
 * the frame letterboxed. It sets every GL state it depends on (blending, raster state, pixel-store, its own
 * textures and buffers, with the host's unpack buffer set aside) and restores the host's values after. With no
 * GL context current on this thread it draws nothing and returns RTS_ERROR_GL. A GL error the host left pending
 * is read and cleared first, so it is never reported as the draw's: rts_overlay_host_gl_error gives it.
 * flags: RTS_DRAW_*. display_time_ns: 0 draws the instances where the model saw them; the capture time of the
 * picture under them (live, e.g. the host's newest camera frame) moves each one along its track to where it is
 * then (at most 0.5 s ahead).
 */
RTS_API rts_status rts_overlay_draw(rts_overlay* overlay, const rts_result* result, int32_t x, int32_t y, int32_t width, int32_t height,
    uint32_t flags, int64_t display_time_ns);
/*
 * Since minor 1: the GL error (a GLenum, e.g. 0x0500 GL_INVALID_ENUM) the host had left pending when the last
 * rts_overlay_draw began, 0 when none: what the host's own glGetError would have returned.
 */
RTS_API uint32_t rts_overlay_host_gl_error(const rts_overlay* overlay);
/* Deletes the overlay's GL objects (on its GL thread, context current). NULL is ignored. */
RTS_API void rts_overlay_destroy(rts_overlay* overlay);

#ifdef __cplusplus
}
#endif

#endif /* REALTIMESEG_H */
