using LiveScope.Core.Imaging;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Core;

// The CMMCore calls LiveScope makes, with MMCoreJ's JNI descriptors (SWIG 3: C++ unsigned → J, C++ long → I).
public sealed partial class MMCore
{
    private const string S = "Ljava/lang/String;";
    private const string StrVector = "Lmmcorej/StrVector;";

    // ---- system -------------------------------------------------------------------------------------------------
    public string GetVersionInfo() => String(Core, "getVersionInfo", $"(){S}");
    public string GetAPIVersionInfo() => String(Core, "getAPIVersionInfo", $"(){S}");
    public void LoadSystemConfiguration(string cfgFile) => Void(Core, "loadSystemConfiguration", $"({S})V", cfgFile);
    public void LoadDevice(string label, string library, string adapter) => Void(label, "loadDevice", $"({S}{S}{S})V", label, library, adapter);
    public void SetParentLabel(string label, string parent) => Void(label, "setParentLabel", $"({S}{S})V", label, parent);
    public void InitializeDevice(string label) => Void(label, "initializeDevice", $"({S})V", label);
    public void UnloadAllDevices() => Void(Core, "unloadAllDevices", "()V");
    public void WaitForDevice(string label) => Void(label, "waitForDevice", $"({S})V", label);
    public void WaitForConfig(string group, string preset) => Void(group, "waitForConfig", $"({S}{S})V", group, preset);

    // ---- devices and properties ------------------------------------------------------------------------------------
    public string[] GetLoadedDevices() => Strings(Core, "getLoadedDevices", $"(){StrVector}");
    /// <summary>MMCore's DeviceType name: CameraDevice, XYStageDevice, StageDevice, ShutterDevice, StateDevice, AutoFocusDevice, GalvoDevice, HubDevice, …</summary>
    public string GetDeviceType(string label) => ObjectText(label, "getDeviceType", $"({S})Lmmcorej/DeviceType;", label);
    public string GetDeviceLibrary(string label) => String(label, "getDeviceLibrary", $"({S}){S}", label);
    public string GetDeviceName(string label) => String(label, "getDeviceName", $"({S}){S}", label);
    public string GetDeviceDescription(string label) => String(label, "getDeviceDescription", $"({S}){S}", label);
    public string[] GetDevicePropertyNames(string label) => Strings(label, "getDevicePropertyNames", $"({S}){StrVector}", label);
    public bool HasProperty(string label, string property) => Bool(label, "hasProperty", $"({S}{S})Z", label, property);
    public string GetProperty(string label, string property) => String(label, "getProperty", $"({S}{S}){S}", label, property);
    public void SetProperty(string label, string property, string value) => Void(label, "setProperty", $"({S}{S}{S})V", label, property, value);
    public void SetProperty(string label, string property, double value) => Void(label, "setProperty", $"({S}{S}D)V", label, property, value);
    public string[] GetAllowedPropertyValues(string label, string property) =>
        Strings(label, "getAllowedPropertyValues", $"({S}{S}){StrVector}", label, property);
    public bool IsPropertyReadOnly(string label, string property) => Bool(label, "isPropertyReadOnly", $"({S}{S})Z", label, property);

    // ---- roles ---------------------------------------------------------------------------------------------------
    /// <summary>The device Core uses for a role: Camera, Shutter, Focus, XYStage, AutoFocus, Galvo, SLM.</summary>
    public string GetRoleDevice(CoreRole role) => String(Core, "get" + RoleMethod(role) + "Device", $"(){S}");
    public void SetRoleDevice(CoreRole role, string label) => Void(label, "set" + RoleMethod(role) + "Device", $"({S})V", label);
    public string GetChannelGroup() => String(Core, "getChannelGroup", $"(){S}");

    private static string RoleMethod(CoreRole role) => role switch
    {
        CoreRole.AutoFocus => "AutoFocus",
        CoreRole.XYStage => "XYStage",
        CoreRole.SLM => "SLM",
        _ => role.ToString(),
    };

    // ---- configuration groups and pixel sizes ----------------------------------------------------------------------
    public string[] GetAvailableConfigGroups() => Strings(Core, "getAvailableConfigGroups", $"(){StrVector}");
    public string[] GetAvailableConfigs(string group) => Strings(group, "getAvailableConfigs", $"({S}){StrVector}", group);
    public string GetCurrentConfig(string group) => String(group, "getCurrentConfig", $"({S}){S}", group);
    public void SetConfig(string group, string preset) => Void(group, "setConfig", $"({S}{S})V", group, preset);
    public string[] GetAvailablePixelSizeConfigs() => Strings(Core, "getAvailablePixelSizeConfigs", $"(){StrVector}");
    public double GetPixelSizeUmByID(string preset) => Double(preset, "getPixelSizeUmByID", $"({S})D", preset);
    /// <summary>Current pixel size at the sample, µm, adjusted for the camera's binning (0 when no preset matches).</summary>
    public double GetPixelSizeUm() => Double(Core, "getPixelSizeUm", "()D");
    public string GetCurrentPixelSizeConfig() => String(Core, "getCurrentPixelSizeConfig", $"(){S}");

    // ---- camera --------------------------------------------------------------------------------------------------
    public void SetExposure(string camera, double exposureMs) => Void(camera, "setExposure", $"({S}D)V", camera, exposureMs);
    public double GetExposure(string camera) => Double(camera, "getExposure", $"({S})D", camera);
    public void SetROI(string camera, int x, int y, int width, int height) => Void(camera, "setROI", $"({S}IIII)V", camera, x, y, width, height);
    public void ClearROI() => Void(Core, "clearROI", "()V");
    public void SnapImage() => Void(Core, "snapImage", "()V");
    public MMImageFormat GetImageFormat() => new(
        checked((int)Long(Core, "getImageWidth", "()J")), checked((int)Long(Core, "getImageHeight", "()J")),
        checked((int)Long(Core, "getBytesPerPixel", "()J")), checked((int)Long(Core, "getImageBitDepth", "()J")));
    public void StartSequenceAcquisition(string camera, int count, double intervalMs, bool stopOnOverflow) =>
        Void(camera, "startSequenceAcquisition", $"({S}IDZ)V", camera, count, intervalMs, stopOnOverflow);
    public void StartContinuousSequenceAcquisition(double intervalMs) => Void(Core, "startContinuousSequenceAcquisition", "(D)V", intervalMs);
    public void StopSequenceAcquisition(string camera) => Void(camera, "stopSequenceAcquisition", $"({S})V", camera);
    public bool IsSequenceRunning(string camera) => Bool(camera, "isSequenceRunning", $"({S})Z", camera);
    public int GetRemainingImageCount() => Int(Core, "getRemainingImageCount", "()I");

    /// <summary>getImage() into a pooled frame of the given size.</summary>
    public void GetImageInto(string camera, Frame frame) => ImageInto(camera, "getImage", frame);

    /// <summary>popNextImage() into a pooled frame of the given size.</summary>
    public void PopNextImageInto(string camera, Frame frame) => ImageInto(camera, "popNextImage", frame);

    private void ImageInto(string camera, string method, Frame frame)
    {
        using var scope = _vm.Enter(8);
        ImageInto(scope.Env, camera, Method(scope.Env, method, "()Ljava/lang/Object;"), method, frame);
    }

    /// <summary>
    /// For threads that stay attached (sequence acquisition): calls an image method (by its cached ID, so nothing
    /// is allocated per frame), copies the pixels and frees the array's local reference.
    /// </summary>
    internal void ImageInto(JniEnv env, string camera, IntPtr methodId, string method, Frame frame)
    {
        IntPtr array;
        try
        {
            array = env.CallObject(_core, methodId, [], method);
        }
        catch (JavaException e)
        {
            throw MicroManagerException.From(camera, method, e);
        }
        try
        {
            CopyPixels(env, array, frame.Pixels, camera);
        }
        finally
        {
            env.DeleteLocalRef(array);
        }
    }

    // ---- stages --------------------------------------------------------------------------------------------------
    public void SetXYPosition(string stage, double xUm, double yUm) => Void(stage, "setXYPosition", $"({S}DD)V", stage, xUm, yUm);

    public (double XUm, double YUm) GetXYPosition(string stage)
    {
        using var scope = _vm.Enter();
        var env = scope.Env;
        var xs = env.NewDoubleArray(1);
        var ys = env.NewDoubleArray(1);
        try
        {
            env.CallVoid(_core, Method(env, "getXYPosition", $"({S}[D[D)V"), [JValue.Of(env.NewString(stage)), JValue.Of(xs), JValue.Of(ys)], "getXYPosition");
        }
        catch (JavaException e)
        {
            throw MicroManagerException.From(stage, "getXYPosition", e);
        }
        Span<double> x = stackalloc double[1], y = stackalloc double[1];
        env.GetDoubleArrayRegion(xs, 0, x);
        env.GetDoubleArrayRegion(ys, 0, y);
        return (x[0], y[0]);
    }

    public void SetPosition(string stage, double zUm) => Void(stage, "setPosition", $"({S}D)V", stage, zUm);
    public double GetPosition(string stage) => Double(stage, "getPosition", $"({S})D", stage);
    public void Stop(string stage) => Void(stage, "stop", $"({S})V", stage);

    // ---- shutters and autofocus ----------------------------------------------------------------------------------
    public void SetShutterOpen(string shutter, bool open) => Void(shutter, "setShutterOpen", $"({S}Z)V", shutter, open);
    public bool GetShutterOpen(string shutter) => Bool(shutter, "getShutterOpen", $"({S})Z", shutter);
    public void FullFocus() => Void(Core, "fullFocus", "()V");
    public double GetLastFocusScore() => Double(Core, "getLastFocusScore", "()D");

    // ---- galvo ---------------------------------------------------------------------------------------------------
    public void PointGalvoAndFire(string galvo, double x, double y, double pulseUs) =>
        Void(galvo, "pointGalvoAndFire", $"({S}DDD)V", galvo, x, y, pulseUs);
    public void SetGalvoSpotInterval(string galvo, double pulseUs) => Void(galvo, "setGalvoSpotInterval", $"({S}D)V", galvo, pulseUs);
    public void SetGalvoIlluminationState(string galvo, bool on) => Void(galvo, "setGalvoIlluminationState", $"({S}Z)V", galvo, on);
    public double GetGalvoXRange(string galvo) => Double(galvo, "getGalvoXRange", $"({S})D", galvo);
    public double GetGalvoXMinimum(string galvo) => Double(galvo, "getGalvoXMinimum", $"({S})D", galvo);
    public double GetGalvoYRange(string galvo) => Double(galvo, "getGalvoYRange", $"({S})D", galvo);
    public double GetGalvoYMinimum(string galvo) => Double(galvo, "getGalvoYMinimum", $"({S})D", galvo);
    public void AddGalvoPolygonVertex(string galvo, int polygon, double x, double y) =>
        Void(galvo, "addGalvoPolygonVertex", $"({S}IDD)V", galvo, polygon, x, y);
    public void DeleteGalvoPolygons(string galvo) => Void(galvo, "deleteGalvoPolygons", $"({S})V", galvo);
    public void LoadGalvoPolygons(string galvo) => Void(galvo, "loadGalvoPolygons", $"({S})V", galvo);
    public void SetGalvoPolygonRepetitions(string galvo, int repetitions) => Void(galvo, "setGalvoPolygonRepetitions", $"({S}I)V", galvo, repetitions);
    public void RunGalvoPolygons(string galvo) => Void(galvo, "runGalvoPolygons", $"({S})V", galvo);
}

/// <summary>The roles MMCore itself keeps ("Property,Core,Camera,…" in a .cfg).</summary>
public enum CoreRole
{
    Camera,
    Shutter,
    Focus,
    XYStage,
    AutoFocus,
    Galvo,
    SLM,
}
