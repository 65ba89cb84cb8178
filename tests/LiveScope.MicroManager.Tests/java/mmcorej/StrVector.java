package mmcorej;

import java.util.ArrayList;
import java.util.Iterator;

/** Stand-in for MMCoreJ's SWIG 3 StrVector: size() is long, get(int), add(String), toArray(). */
public class StrVector implements Iterable<String> {
   private final ArrayList<String> items_ = new ArrayList<String>();

   public StrVector() {}
   public long size() { return items_.size(); }
   public long capacity() { return items_.size(); }
   public boolean isEmpty() { return items_.isEmpty(); }
   public void clear() { items_.clear(); }
   public void add(String x) { items_.add(x); }
   public String get(int i) { return items_.get(i); }
   public void set(int i, String x) { items_.set(i, x); }
   public Iterator<String> iterator() { return items_.iterator(); }
   public String[] toArray() { return items_.toArray(new String[0]); }
   public void delete() {}
}
